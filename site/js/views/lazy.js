// Main thread. A view whose module is loaded when its card comes near the screen.
// A view loaded when its card comes near the screen (a first reader does not see it at once):
// its module is imported then, and given the state the Views already hold. The module's default
// export is a class: new View(card, views) with setup() (a new configuration), update() (new
// data), resize() and charts() (its LineCharts, for the PNG).
const MARGIN = '400px'; // start loading this far ahead of the screen

export class Lazy {
  constructor(card, load, views) {
    this.card = card;
    this.views = views;
    this.view = null;
    this.loading = null;
    this.observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && this.load(load), { rootMargin: MARGIN });
    this.observer.observe(card);
  }

  load(load) {
    this.loading ??= load().then(({ default: View }) => {
      this.observer.disconnect();
      this.view = new View(this.card, this.views);
      if (this.views.cfg) {
        this.view.setup();
        this.view.update();
      }
    });
    return this.loading;
  }

  setup() {
    this.view?.setup();
  }

  update() {
    this.view?.update();
  }

  resize() {
    this.view?.resize();
  }
}
