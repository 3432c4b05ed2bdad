/**
 * The Kubernetes side of the controller's task grants (src/controller/task-grants.ts):
 * the grant map is a TaskGrants object in the controller's namespace
 * (src/api/v1alpha1/task-grants.ts), changed with one patch a write (a JSON merge patch
 * of the grants that changed; a JSON patch that sets `spec.grants` whole when replacing)
 * and created when missing. The write goes through the store's client, so it is paid for
 * under the controller's client limit like any status write.
 */
import * as k8s from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/v1alpha1/index.js';
import {
  GRANTS_OBJECT,
  GrantMapMissingError,
  type GrantWriter,
} from '../controller/task-grants.js';
import { pooledApiClient } from './pooled-client.js';

const isCode = (err: unknown, code: number): boolean =>
  err instanceof k8s.ApiException && err.code === code;

/** The grant map as TaskGrants {@link GRANTS_OBJECT} in `namespace`. */
export class TaskGrantsObject implements GrantWriter {
  private readonly api: k8s.CustomObjectsApi;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly namespace: string,
  ) {
    this.api = pooledApiClient(kubeConfig, k8s.CustomObjectsApi);
  }

  /** See {@link GrantWriter.write}. */
  async write(entries: Readonly<Record<string, string | null>>, replace: boolean): Promise<void> {
    try {
      await this.patch(entries, replace);
    } catch (err) {
      if (!isCode(err, 404)) throw err;
      // Made from changes only, it would lack every other grant.
      if (!replace) throw new GrantMapMissingError(this.namespace);
      try {
        await this.api.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: 'taskgrants',
          namespace: this.namespace,
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'TaskGrants',
            metadata: {
              name: GRANTS_OBJECT,
              namespace: this.namespace,
              labels: { 'app.kubernetes.io/managed-by': 'mezzo' },
            },
            spec: { grants: entries },
          },
        });
      } catch (created) {
        // Made meanwhile (by a predecessor still writing): set it instead.
        if (!isCode(created, 409)) throw created;
        await this.patch(entries, replace);
      }
    }
  }

  private async patch(
    entries: Readonly<Record<string, string | null>>,
    replace: boolean,
  ): Promise<void> {
    await this.api.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural: 'taskgrants',
        namespace: this.namespace,
        name: GRANTS_OBJECT,
        body: replace
          ? [{ op: 'add', path: '/spec/grants', value: entries }]
          : { spec: { grants: entries } },
      },
      k8s.setHeaderOptions(
        'Content-Type',
        replace ? k8s.PatchStrategy.JsonPatch : k8s.PatchStrategy.MergePatch,
      ),
    );
  }
}
