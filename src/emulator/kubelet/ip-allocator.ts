/** Pod IPs from the node's pod CIDR, handed out round-robin (like host-local IPAM) so addresses are not reused at once. */
export class IpAllocator {
  private readonly base: number
  private readonly size: number
  private readonly used = new Set<number>()
  private cursor = 2

  constructor(cidr = '10.244.0.0/16') {
    const [ip, bits] = cidr.split('/')
    this.base = toInt(ip!)
    this.size = 2 ** (32 - Number(bits ?? 16))
  }

  allocate(): string {
    for (let tries = 0; tries < this.size; tries++) {
      const off = this.cursor
      this.cursor = this.cursor + 1 >= this.size - 1 ? 2 : this.cursor + 1
      const last = (this.base + off) & 0xff
      if (last === 0 || last === 255 || this.used.has(off)) continue
      this.used.add(off)
      return toIp(this.base + off)
    }
    throw new Error('pod CIDR exhausted')
  }

  /** Marks an address in use (pods that already have one after a restart). */
  reserve(ip: string | undefined): void {
    const off = ip ? toInt(ip) - this.base : -1
    if (off > 0 && off < this.size) this.used.add(off)
  }

  release(ip: string | undefined): void {
    if (ip) this.used.delete(toInt(ip) - this.base)
  }
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
