/** The one shape every node and object of a side-by-side run has. */
export interface Shape {
  /** Each node's (and simulated agent's) CPUs and memory. */
  readonly nodeCpus: number;
  readonly nodeMemMi: number;
  /** Zones the nodes are spread over (a label/attribute only). */
  readonly zones: number;
  /** What each Pod requests and each Task asks for. */
  readonly cpuMilli: number;
  readonly memMi: number;
}

/** 4 CPUs and 8 GiB a node; 0.1 CPU and 64 MiB an object (up to 40 a node). */
export const SHAPE: Shape = { nodeCpus: 4, nodeMemMi: 8192, zones: 3, cpuMilli: 100, memMi: 64 };
