import type { Rng } from './prng.js';

// Characters common in Zhejiang place names (water towns, hills, bays: 碶, 岙, 浦, 塘 …).
const FIRST = [...'东西南北中新长安永丰宁海云石白桃梅柳松竹明光华兴福瑞祥康泰和清溪湖江山岭塘桥港浦湾岙林田甬龙凤鹤金银玉春古高横塔钱陈黄周胡洪茅峙梁潘姜邱泗庙莲荷杏枫樟双三五九下上大小'];
const SECOND = [...'湖桥山塘浦港岙溪江塔林田庄门口头河洋湾岭峰园堰碶渡埠墩屿沙浜泾坑岗畈里弄坊亭阁庙圩垟汇'];

/** Hands out unique two-character place names (甬江-style), deterministically from the RNG. */
export class PlaceNames {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  /** A name not handed out before, e.g. 石碶, 梅塘. */
  next(): string {
    for (;;) {
      const a = this.rng.pick(FIRST);
      const b = this.rng.pick(SECOND);
      const name = a + b;
      if (a !== b && !this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }
}
