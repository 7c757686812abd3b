// Page object for the chain editor, shared by the editor specs.
import { expect, Page, Locator } from '@playwright/test';

export type Mode = 'sequential' | 'staged' | 'eager';

export class EditorPage {
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (err) => this.errors.push(err.message));
  }

  /// Opens the page with nothing saved in the browser (a fresh visitor).
  async open() {
    await this.page.goto('/');
    await this.page.evaluate(() => localStorage.clear());
    await this.page.reload();
    await expect(this.node('question')).toBeVisible();
  }

  node(id: string): Locator {
    return this.page.getByTestId(`node-${id}`);
  }

  edge(from: string, to: string): Locator {
    return this.page.getByTestId(`edge-${from}-${to}`);
  }

  message(): Locator {
    return this.page.getByTestId('editor-message');
  }

  async load(key: string) {
    await this.page.getByTestId('chain-select').selectOption(key);
  }

  /// Scrolls the whole canvas into the window: mouse moves do not scroll.
  async showCanvas() {
    await this.page.getByTestId('canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  }

  /// Drags with the mouse from a step's output port onto another step.
  async connect(from: string, to: string) {
    await this.showCanvas();
    const port = await this.page.getByTestId(`port-out-${from}`).boundingBox();
    const target = await this.node(to).boundingBox();
    if (!port || !target) throw new Error(`cannot see ${from} or ${to}`);
    const mouse = this.page.mouse;
    await mouse.move(port.x + port.width / 2, port.y + port.height / 2);
    await mouse.down();
    await mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
    await mouse.up();
  }

  /// Drags with the mouse from one of a step's dots ('out' on its right, 'in' on its
  /// left) onto another step, or onto a point of the screen.
  async dragFromPort(from: string, side: 'in' | 'out', to: string | { x: number; y: number }) {
    await this.showCanvas();
    const port = await this.page.getByTestId(`port-${side}-${from}`).boundingBox();
    const target = typeof to === 'string' ? await this.node(to).boundingBox() : { ...to, width: 0, height: 0 };
    if (!port || !target) throw new Error(`cannot see ${from} or ${to}`);
    const mouse = this.page.mouse;
    await mouse.move(port.x + port.width / 2, port.y + port.height / 2);
    await mouse.down();
    await mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
    await mouse.up();
  }

  /// A point on empty canvas (screen pixels) where a new step with its dot there
  /// (its left edge for side 'out', its right edge for 'in') would touch no other
  /// step, the nearest to the canvas's middle. Zooms out until there is one.
  async emptySpot(side: 'in' | 'out'): Promise<{ x: number; y: number }> {
    await this.showCanvas();
    for (let tries = 0; tries < 6; tries++) {
      const spot = await this.page.getByTestId('canvas').evaluate((svg, side) => {
        const box = svg.getBoundingClientRect();
        const bodies = [...svg.querySelectorAll('.node .body')].map((b) => b.getBoundingClientRect());
        const zoom = bodies.length ? bodies[0].width / 200 : 1;
        const [w, h] = [200 * zoom, 72 * zoom];
        const blocked = [...bodies, ...[...document.querySelectorAll('.canvas-controls button')].map((b) => b.getBoundingClientRect())];
        const free = (x: number, y: number) => {
          const [l, r] = side === 'out' ? [x, x + w] : [x - w, x];
          const [t, b] = [y - h / 2, y + h / 2];
          if (l < box.left + 12 || r > box.right - 12 || t < box.top + 12 || b > box.bottom - 12) return false;
          return blocked.every((o) => r + 14 < o.left || l - 14 > o.right || b + 14 < o.top || t - 14 > o.bottom);
        };
        const [cx, cy] = [box.left + box.width / 2, box.top + box.height / 2];
        const found: { x: number; y: number; d: number }[] = [];
        for (let x = box.left; x < box.right; x += 10)
          for (let y = box.top; y < box.bottom; y += 10)
            if (free(x, y)) found.push({ x, y, d: Math.hypot(x - cx, y - cy) });
        found.sort((a, b) => a.d - b.d);
        return found[0] ?? null;
      }, side);
      if (spot) return { x: spot.x, y: spot.y };
      await this.page.getByTestId('zoom-out').click();
    }
    throw new Error('no empty spot on the canvas');
  }

  /// Drags a step by (dx, dy) screen pixels.
  async drag(id: string, dx: number, dy: number) {
    await this.showCanvas();
    const box = await this.node(id).boundingBox();
    if (!box) throw new Error(`cannot see ${id}`);
    const mouse = this.page.mouse;
    await mouse.move(box.x + 30, box.y + box.height / 2);
    await mouse.down();
    await mouse.move(box.x + 30 + dx, box.y + box.height / 2 + dy, { steps: 6 });
    await mouse.up();
  }

  /// Presses Tab until the element with this test id has focus: proves it is
  /// reachable from the keyboard.
  async tabTo(testId: string, max = 300) {
    for (let i = 0; i < max; i++) {
      const here = await this.page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      if (here === testId) return;
      await this.page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${testId}`);
  }

  /// Runs the chain and reads the three totals.
  async run(): Promise<Record<Mode, number>> {
    await this.page.getByTestId('run').click();
    return this.totals();
  }

  async totals(): Promise<Record<Mode, number>> {
    const read = async (mode: Mode) => {
      const cell = this.page.getByTestId(`total-${mode}`);
      await expect(cell).toHaveText(/^\d+ ms$/, { timeout: 30_000 });
      return parseInt((await cell.textContent()) ?? '', 10);
    };
    return { sequential: await read('sequential'), staged: await read('staged'), eager: await read('eager') };
  }
}

/// The research assistant's figures from the design: 2500, 1700 and 1600 ms. Browser
/// timers fire late, more so on a busy machine and more so for the seven steps in a
/// row of a sequential run, so the margin is generous above and tight below.
export function expectResearchAssistantTotals(t: Record<Mode, number>) {
  const near = (measured: number, predicted: number) => {
    expect(measured).toBeGreaterThanOrEqual(predicted - 5);
    // Browser timers only ever fire late, and later on a busy 2-core machine (CI has
    // seen sequential at 2,886 ms for 2,500): the upper margin is for them.
    expect(measured).toBeLessThanOrEqual(predicted * 1.25 + 60);
  };
  near(t.sequential, 2500);
  near(t.staged, 1700);
  near(t.eager, 1600);
  expect(t.eager).toBeLessThan(t.sequential);
}
