/**
 * Typed access to one kind of Mezzo custom resource: reads, writes, status writes
 * through the status subresource with conflict retry, and finalizers. Conflicts (409)
 * are expected when two writers race; {@link CustomResourceClient.updateStatus} re-reads
 * and re-applies the caller's mutation until it lands, and skips the write entirely when
 * the mutation changes nothing.
 */
import * as k8s from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { pooledApiClient } from './pooled-client.js';

/** A Mezzo custom object. */
export interface CustomObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: k8s.V1ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** Which kind this client serves. */
export interface KindRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof k8s.ApiException && err.code === code;
}

/** A client for one kind. */
export class CustomResourceClient<Spec, Status> {
  private readonly api: k8s.CustomObjectsApi;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly ref: KindRef,
  ) {
    this.api = pooledApiClient(kubeConfig, k8s.CustomObjectsApi);
  }

  /** The watch path for the whole collection (all namespaces). */
  get collectionPath(): string {
    return `/apis/${this.ref.group}/${this.ref.version}/${this.ref.plural}`;
  }

  private base(namespace?: string) {
    const { group, version, plural } = this.ref;
    return {
      group,
      version,
      plural,
      ...(this.ref.namespaced ? { namespace: namespace ?? 'default' } : {}),
    };
  }

  /** Lists every object (all namespaces for namespaced kinds). */
  async list(): Promise<k8s.KubernetesListObject<CustomObject<Spec, Status>>> {
    const { group, version, plural } = this.ref;
    return (await this.api.listClusterCustomObject({
      group,
      version,
      plural,
    })) as k8s.KubernetesListObject<CustomObject<Spec, Status>>;
  }

  /** Reads one object; undefined when it does not exist. */
  async get(name: string, namespace?: string): Promise<CustomObject<Spec, Status> | undefined> {
    try {
      const b = this.base(namespace);
      const obj: unknown = this.ref.namespaced
        ? await this.api.getNamespacedCustomObject({
            ...b,
            namespace: b.namespace ?? 'default',
            name,
          })
        : await this.api.getClusterCustomObject({ ...b, name });
      return obj as CustomObject<Spec, Status>;
    } catch (err) {
      if (isCode(err, 404)) return undefined;
      throw err;
    }
  }

  /** Creates an object. */
  async create(
    obj: Omit<CustomObject<Spec, Status>, 'apiVersion' | 'kind'>,
  ): Promise<CustomObject<Spec, Status>> {
    const body = {
      apiVersion: `${this.ref.group}/${this.ref.version}`,
      kind: this.ref.kind,
      ...obj,
    };
    const b = this.base(obj.metadata.namespace);
    const created: unknown = this.ref.namespaced
      ? await this.api.createNamespacedCustomObject({
          ...b,
          namespace: b.namespace ?? 'default',
          body,
        })
      : await this.api.createClusterCustomObject({ ...b, body });
    return created as CustomObject<Spec, Status>;
  }

  /**
   * Replaces an object (spec and metadata); fails with ConflictError on a stale version,
   * NotFoundError when the object is gone.
   */
  async replace(obj: CustomObject<Spec, Status>): Promise<CustomObject<Spec, Status>> {
    const name = obj.metadata.name ?? '';
    const b = this.base(obj.metadata.namespace);
    try {
      const out: unknown = this.ref.namespaced
        ? await this.api.replaceNamespacedCustomObject({
            ...b,
            namespace: b.namespace ?? 'default',
            name,
            body: obj,
          })
        : await this.api.replaceClusterCustomObject({ ...b, name, body: obj });
      return out as CustomObject<Spec, Status>;
    } catch (err) {
      if (isCode(err, 409)) throw new ConflictError(this.ref.kind, name);
      if (isCode(err, 404)) throw new NotFoundError(this.ref.kind, name);
      throw err;
    }
  }

  /** Deletes an object; absent objects are not an error. */
  async delete(name: string, namespace?: string): Promise<void> {
    const b = this.base(namespace);
    try {
      if (this.ref.namespaced) {
        await this.api.deleteNamespacedCustomObject({
          ...b,
          namespace: b.namespace ?? 'default',
          name,
        });
      } else {
        await this.api.deleteClusterCustomObject({ ...b, name });
      }
    } catch (err) {
      if (!isCode(err, 404)) throw err;
    }
  }

  /**
   * Writes `obj.status` through the status subresource as one request, on the condition
   * that `obj.metadata.resourceVersion` is still current; ConflictError when it is not,
   * NotFoundError when the object is gone.
   */
  async replaceStatus(obj: CustomObject<Spec, Status>): Promise<CustomObject<Spec, Status>> {
    const name = obj.metadata.name ?? '';
    const b = this.base(obj.metadata.namespace);
    try {
      const out: unknown = this.ref.namespaced
        ? await this.api.replaceNamespacedCustomObjectStatus({
            ...b,
            namespace: b.namespace ?? 'default',
            name,
            body: obj,
          })
        : await this.api.replaceClusterCustomObjectStatus({ ...b, name, body: obj });
      return out as CustomObject<Spec, Status>;
    } catch (err) {
      if (isCode(err, 409)) throw new ConflictError(this.ref.kind, name);
      if (isCode(err, 404)) throw new NotFoundError(this.ref.kind, name);
      throw err;
    }
  }

  /**
   * Applies `mutate` to the latest status and writes it through the status subresource,
   * re-reading and retrying on conflict (up to `attempts`). `mutate` returns undefined
   * to say "no change": then nothing is written. Returns the object as stored.
   */
  async updateStatus(
    name: string,
    namespace: string | undefined,
    mutate: (current: CustomObject<Spec, Status>) => Status | undefined,
    attempts = 5,
  ): Promise<CustomObject<Spec, Status>> {
    for (let i = 0; ; i++) {
      const current = await this.get(name, namespace);
      if (!current) throw new NotFoundError(this.ref.kind, name);
      const status = mutate(current);
      if (status === undefined) return current;
      try {
        return await this.replaceStatus({ ...current, status });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        if (i + 1 >= attempts)
          throw new ConflictError(
            this.ref.kind,
            name,
            `status conflict after ${String(attempts)} attempts`,
          );
      }
    }
  }

  /** Adds a finalizer if missing (conflict-retried). */
  async addFinalizer(
    name: string,
    namespace: string | undefined,
    finalizer: string,
  ): Promise<void> {
    await this.editMeta(name, namespace, (m) => {
      const f = m.finalizers ?? [];
      if (f.includes(finalizer)) return false;
      m.finalizers = [...f, finalizer];
      return true;
    });
  }

  /** Removes a finalizer if present (conflict-retried); lets a pending delete finish. */
  async removeFinalizer(
    name: string,
    namespace: string | undefined,
    finalizer: string,
  ): Promise<void> {
    await this.editMeta(name, namespace, (m) => {
      const f = m.finalizers ?? [];
      if (!f.includes(finalizer)) return false;
      m.finalizers = f.filter((x) => x !== finalizer);
      return true;
    });
  }

  private async editMeta(
    name: string,
    namespace: string | undefined,
    edit: (meta: k8s.V1ObjectMeta) => boolean,
  ): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const current = await this.get(name, namespace);
      if (!current || !edit(current.metadata)) return;
      try {
        await this.replace(current);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(this.ref.kind, name, 'finalizer update kept conflicting');
  }
}
