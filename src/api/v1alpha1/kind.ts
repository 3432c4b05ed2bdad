/** What one custom resource kind declares; {@link toCrd} turns it into a CRD. */
import type { Schema } from './schema.js';

/** API group of every Mezzo resource. */
export const GROUP = 'mezzo.dev';
/** The served and stored version. */
export const VERSION = 'v1alpha1';

/** A printer column for `kubectl get`. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** One Mezzo kind: names, scope, schemas and columns. */
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  categories: string[];
  description: string;
  spec: Schema;
  status: Schema;
  printerColumns: PrinterColumn[];
  /** Rules over the whole object (e.g. spec vs metadata). */
  validations?: Schema['x-kubernetes-validations'];
}

/** A CustomResourceDefinition as plain data, ready for YAML. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

/** Builds the CRD for a kind. */
export function toCrd(def: KindDefinition): CustomResourceDefinition {
  const root: Schema = {
    type: 'object',
    description: def.description,
    properties: {
      apiVersion: { type: 'string', description: 'mezzo.dev/v1alpha1' },
      kind: { type: 'string', description: def.kind },
      metadata: { type: 'object' },
      spec: def.spec,
      status: def.status,
    },
    required: ['spec'],
  };
  if (def.validations) root['x-kubernetes-validations'] = def.validations;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'mezzo' },
    },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}
