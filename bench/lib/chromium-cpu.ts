import type { CDPSession } from 'playwright-core';

export interface ProcessCpu {
  /** Renderer processes by pid, CPU seconds. */
  renderers: Map<number, number>;
  /** Every Chromium process, CPU seconds. */
  total: number;
}

/** CPU time of Chromium's processes so far (CDP SystemInfo). */
export async function processCpu(cdp: CDPSession): Promise<ProcessCpu> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number; cpuTime: number }[];
  };
  return {
    renderers: new Map(processInfo.filter((info) => info.type === 'renderer').map((info) => [info.id, info.cpuTime])),
    total: processInfo.reduce((sum, info) => sum + info.cpuTime, 0),
  };
}
