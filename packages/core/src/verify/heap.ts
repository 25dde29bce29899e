/** A binary max-heap of bigint priorities, each with an id: keeps the k smallest of a stream. */
export class BigMaxHeap {
  private readonly items: { priority: bigint; id: string | bigint }[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): bigint | undefined {
    return this.items[0]?.priority;
  }

  push(priority: bigint, id: string | bigint): void {
    const a = this.items;
    a.push({ priority, id });
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.priority >= a[i]!.priority) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): { priority: bigint; id: string | bigint } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.priority > a[m]!.priority) m = l;
        if (r < a.length && a[r]!.priority > a[m]!.priority) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
