"""Regenerate the editor screenshots of docs/USER_GUIDE.md (offscreen, no display needed).

    python docs/img/make_screenshots.py [OUT_DIR]

Each picture is made by driving the window the way a user would (selecting, typing into the
inspector, dragging a connection), so the guide shows what the app really does.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPointF, QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.app import make_app, settle  # noqa: E402
from gui.theme import THEMES, apply_theme  # noqa: E402

GRAPHS = ROOT / "graphs"
SIZE = (1600, 1000)
# slow motion for the autoencoder pictures: at full speed a digits autoencoder runs an epoch in
# ~20 ms and the pictures are sampled every 0.2 s, so which sample a picture catches would vary;
# 10 ms a batch samples about once an epoch
SAMPLED_DELAY_S = 0.01


def _mouse(view, kind, scene_pos, buttons):
    p = view.mapFromScene(scene_pos)
    button = Qt.LeftButton if kind != QMouseEvent.MouseMove else Qt.NoButton
    ev = QMouseEvent(kind, QPointF(p), QPointF(view.viewport().mapToGlobal(p)), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), ev)


def drag(view, a: QPointF, b: QPointF) -> None:
    _mouse(view, QMouseEvent.MouseButtonPress, a, Qt.LeftButton)
    for i in range(1, 7):
        _mouse(view, QMouseEvent.MouseMove, a + (b - a) * (i / 6), Qt.LeftButton)
    _mouse(view, QMouseEvent.MouseButtonRelease, b, Qt.NoButton)


def window_for(app, graph: str, theme: str = "light"):
    from gui.main_window import MainWindow

    tmp = tempfile.mkdtemp()
    w = MainWindow(QSettings(str(Path(tmp) / "s.ini"), QSettings.IniFormat), theme)
    apply_theme(app, THEMES[theme])
    w.resize(*SIZE)
    w.show()
    settle(app)
    w.controller.open_file(GRAPHS / graph)
    w.controller.analyse_now()
    w.show_start_of_graph()
    settle(app)
    return w


def finish(app, w, path: Path) -> None:
    settle(app)
    w.grab().save(str(path))
    w.controller.undo_stack.setClean()
    w.close()
    print(path)


def lesson(app, out: Path) -> None:
    w = window_for(app, "mlp_digits.json")
    w.scene.select_nodes(["h1"])
    finish(app, w, out / "editor_lesson.png")


def error_badge(app, out: Path) -> None:
    w = window_for(app, "mlp_digits.json")
    w.scene.select_nodes(["out"])
    w.controller.set_param("out", "units", 12)    # as if typed into the inspector
    w.controller.analyse_now()
    w.scene.select_nodes(["loss"])
    w.view.set_zoom(1.0)
    # the loss left of the view's centre, clear of the minimap in the corner
    w.view.centerOn(w.scene.node_item("loss").sceneBoundingRect().center() + QPointF(60, -20))
    finish(app, w, out / "error_badge.png")


def refused(app, out: Path) -> None:
    w = window_for(app, "mlp_digits.json")
    w.view.set_zoom(1.0)
    w.view.centerOn(QPointF(330, 120))
    settle(app)
    scene = w.scene
    a = scene.node_item("data").port("y", True).scenePos()
    b = scene.node_item("a1").port("in", False).scenePos()
    drag(w.view, a, b)
    finish(app, w, out / "refused_connection.png")


def dark(app, out: Path) -> None:
    w = window_for(app, "deep_sigmoid.json", "dark")
    finish(app, w, out / "editor_dark.png")
    apply_theme(app, THEMES["light"])


def csv_preview(app, out: Path) -> None:
    """The inspector of the churn lesson's Dataset: the form, then the CSV file and its preview."""
    w = window_for(app, "churn.json")
    w.scene.select_nodes(["data"])
    settle(app)
    inspector = w.inspector
    inspector.resize(600, 1300)
    page = inspector.widget()
    page.resize(600, page.sizeHint().height())
    panel = inspector.csv_panel
    # start the table at the first dropped text column, so dropped, one-hot and input all show
    header = panel.table.horizontalHeader()
    panel.table.horizontalScrollBar().setValue(header.sectionPosition(panel.preview.columns.index("Surname")))
    settle(app)
    page.grab(QRect(0, 0, page.width(), panel.geometry().bottom() + 12)).save(str(out / "csv_preview.png"))
    w.controller.undo_stack.setClean()
    w.close()
    print(out / "csv_preview.png")


def vanishing_mid_run(app, out: Path) -> None:
    """The deep sigmoid lesson paused after 8 epochs: heat strip, bars and canvas colours."""
    w = window_for(app, "deep_sigmoid.json")
    w.run_for_screenshot(8)
    finish(app, w, out / "deep_sigmoid_mid_run.png")


def diverged(app, out: Path) -> None:
    """The exploding lesson after it diverged: its first bad layer outlined on the canvas."""
    w = window_for(app, "exploding.json")
    w.run_for_screenshot(1)
    finish(app, w, out / "exploding_diverged.png")


def clipped_mid_run(app, out: Path, size: tuple[int, int] = SIZE) -> None:
    """The clipped twin of the exploding lesson after 3 epochs: level, finite bars with the raw
    sizes marked above them, and no layer badged as exploding."""
    w = window_for(app, "exploding_clipped.json")
    w.resize(*size)
    w.run_for_screenshot(3)
    name = "exploding_clipped_mid_run" + ("_720p" if size != SIZE else "")
    finish(app, w, out / f"{name}.png")


def decision_boundary(app, out: Path) -> None:
    """The two-moons lesson after 40 epochs, on the Classes tab."""
    from PySide6.QtWidgets import QTabWidget

    w = window_for(app, "moons_boundary.json")
    w.run_for_screenshot(40)
    w.dashboard.findChildren(QTabWidget)[0].setCurrentIndex(2)
    finish(app, w, out / "moons_boundary.png")


def autoencoder_mid_run(app, out: Path, size: tuple[int, int] = SIZE) -> None:
    """The denoising lesson four epochs in: reconstructions forming on the Decoder's card on the
    canvas and in the Reconstructions view (clean, corrupted, rebuilt)."""
    w = window_for(app, "denoising_autoencoder.json")
    w.resize(*size)
    w.view.set_minimap_wanted(False)        # it would sit on the Loss node in the picture
    w.session.set_delay(SAMPLED_DELAY_S)
    w.run_for_screenshot(4)
    w.dashboard.dashboard.show_view("reconstructions")
    name = "autoencoder_mid_run" + ("_720p" if size != SIZE else "")
    finish(app, w, out / f"{name}.png")


def autoencoder_canvas(app, out: Path) -> None:
    """The canvas alone, closer: the Encoder's code bars and the Decoder's strip, four epochs in."""
    w = window_for(app, "denoising_autoencoder.json")
    w.view.set_minimap_wanted(False)        # it would cover the Decoder's card at this zoom
    w.session.set_delay(SAMPLED_DELAY_S)
    w.run_for_screenshot(4)
    w.view.set_zoom(1.4)
    enc, dec = w.scene.node_item("enc"), w.scene.node_item("dec")
    w.view.centerOn((enc.sceneBoundingRect().center() + dec.sceneBoundingRect().center()) / 2
                    + QPointF(-60, 40))
    settle(app)
    w.view.grab().save(str(out / "autoencoder_canvas.png"))
    w.session.shutdown()
    w.controller.undo_stack.setClean()
    w.close()
    print(out / "autoencoder_canvas.png")


def latent_explorer(app, out: Path) -> None:
    """The VAE after 30 epochs, Latent tab: A a zero and B a three, walked between; the cross on
    the sixes."""
    import numpy as np

    w = window_for(app, "vae.json")
    w.view.set_minimap_wanted(False)        # it would sit on the Loss node in the picture
    w.run_for_screenshot(30)
    d = w.dashboard.dashboard
    d.show_view("latent")
    latent = d.latent
    settle(app)                        # the decodings come a frame after the points
    points, labels = latent.points, latent.labels

    def middle_of(c: int) -> np.ndarray:
        return np.median(points[labels == c], axis=0)

    def example_of(c: int) -> int:
        """The example of class c nearest the middle of its class (the median resists the
        strays a mean would be pulled to)."""
        dist = np.sum((points - middle_of(c)) ** 2, axis=1)
        return int(np.argmin(np.where(labels == c, dist, np.inf)))

    latent.pick(example_of(0))
    latent.pick(example_of(3))
    latent.move_target(*middle_of(6))
    finish(app, w, out / "vae_latent_explorer.png")


def _fit(app, w) -> None:
    """The whole graph in view, live cards included, as Fit to View does."""
    settle(app)
    w.view.fit_all()
    settle(app)


def dbn_pretraining(app, out: Path, size: tuple[int, int] = (1280, 720)) -> None:
    """The deep belief network lesson at projector size, five epochs into its second RBM: the
    first marked pretrained with its last pictures, the second pretraining (halo, pictures,
    filters), the Pretraining tab below."""
    w = window_for(app, "dbn_digits.json")
    w.resize(*size)
    w.session.set_delay(0.002)          # the pictures are sampled a few times an epoch
    w.run_for_screenshot(25)
    w.dashboard.dashboard.show_view("pretraining")
    _fit(app, w)
    finish(app, w, out / "dbn_pretraining.png")


def dbn_canvas(app, out: Path) -> None:
    """The canvas alone, closer: the two RBMs' cards while the second pretrains."""
    w = window_for(app, "dbn_digits.json")
    w.session.set_delay(0.002)
    w.run_for_screenshot(25)
    w.view.set_zoom(1.3)
    a, b = w.scene.node_item("rbm1"), w.scene.node_item("rbm2")
    w.view.centerOn((a.sceneBoundingRect().center() + b.sceneBoundingRect().center()) / 2
                    + QPointF(0, 70))
    settle(app)
    w.view.grab().save(str(out / "dbn_canvas.png"))
    w.session.shutdown()
    w.controller.undo_stack.setClean()
    w.close()
    print(out / "dbn_canvas.png")


def dbn_fine_tuning(app, out: Path, size: tuple[int, int] = (1280, 720)) -> None:
    """The same lesson five epochs into its fine-tuning: every layer coloured by its gradient,
    the Overview's axis running through both pretraining phases and the fine-tuning."""
    w = window_for(app, "dbn_digits.json")
    w.resize(*size)
    w.run_for_screenshot(45)
    w.dashboard.dashboard.show_view("overview")
    _fit(app, w)
    finish(app, w, out / "dbn_fine_tuning.png")


def rbm_gibbs(app, out: Path, size: tuple[int, int] = (1280, 720)) -> None:
    """The single-RBM lesson 15 epochs in, Gibbs tab: chains from noise, held at step 20 of 100
    (the animation's frame), and the strip from noise to samples."""
    w = window_for(app, "rbm_digits.json")
    w.resize(*size)
    w.run_for_screenshot(15)
    d = w.dashboard.dashboard
    d.show_view("gibbs")
    _fit(app, w)
    d.gibbs.show_step(20)
    finish(app, w, out / "rbm_gibbs.png")


def _gan(app, out: Path, graph: str, name: str, epochs: int, size: tuple[int, int]) -> None:
    """A GAN lesson `epochs` epochs in (or trained to the end when it has fewer), on the GAN tab,
    the whole graph in view with the Generator's card."""
    w = window_for(app, graph)
    w.resize(*size)
    w.view.set_minimap_wanted(False)        # it would sit on the Generator's card
    w.run_for_screenshot(epochs)
    w.dashboard.dashboard.show_view("gan")
    _fit(app, w)
    finish(app, w, out / f"{name}.png")


def gan_ring_mid_run(app, out: Path) -> None:
    """The ring lesson at projector size 150 epochs in: the samples reaching for the spots."""
    _gan(app, out, "gan_ring.json", "gan_ring_mid_run", 150, (1280, 720))


def gan_ring_trained(app, out: Path) -> None:
    """The ring lesson trained to the end: modes covered in the line above the plots."""
    _gan(app, out, "gan_ring.json", "gan_ring_trained", 10_000, SIZE)


def gan_digits_mid_run(app, out: Path) -> None:
    """The digits GAN at projector size 20 epochs in: blurry strokes on the Generator's card."""
    _gan(app, out, "gan_digits.json", "gan_digits_mid_run", 20, (1280, 720))


def gan_digits_trained(app, out: Path) -> None:
    """The digits GAN trained to the end: a grid of 64 pictures of fixed noise."""
    _gan(app, out, "gan_digits.json", "gan_digits_trained", 10_000, SIZE)


def predict_panel(app, out: Path) -> None:
    """The churn lesson's model (trained here for 10 epochs with batches of 64 at lr 0.01, which
    the lesson's own settings take 100 epochs to match) opened from its .dcmodel file at
    projector size, the Predict panel answering for one customer; the weight norms under the
    Dense cards."""
    from engine import graph
    from engine.models import archive
    from engine.training.trainer import Run

    doc = graph.load(GRAPHS / "churn.json")
    doc.training.update({"batch_size": 64, "lr": 0.01})
    run = Run(doc, epochs=10, telemetry="off")
    reports = list(run.steps())
    model = Path(tempfile.mkdtemp()) / "churn.dcmodel"
    archive.save(run, model, reports[-1])
    w = window_for(app, "churn.json")
    w.resize(1280, 720)
    w.open_path(model, ask=False)
    w.inspector_dock.hide()
    w.dashboard_dock.hide()
    w.view.set_minimap_wanted(False)
    w.resizeDocks([w.predict_dock], [430], Qt.Horizontal)
    w.predict_panel.set_values({"CreditScore": "600", "Geography": "Germany", "Gender": "Female",
                                "Age": "52", "Tenure": "3", "Balance": "120000",
                                "NumOfProducts": "1", "HasCrCard": "1", "IsActiveMember": "0",
                                "EstimatedSalary": "80000"})
    settle(app)
    w.show_start_of_graph()
    finish(app, w, out / "predict_panel.png")


def presenter_mode(app, out: Path) -> None:
    """The deep sigmoid lesson in presenter mode at projector size, paused after 8 epochs: the
    whole graph, and its loss and gradient plots large. At a set size, not full screen: the
    offscreen screen has a size of its own."""
    w = window_for(app, "deep_sigmoid.json")
    w.resize(1280, 720)
    settle(app)
    w.presenter.enter(full_screen=False)
    w.presenter.hint.dismiss()           # it fades a few seconds in: the run takes longer
    w.run_for_screenshot(8)
    finish(app, w, out / "presenter_mode.png")


def moons_unit_pictures(app, out: Path) -> None:
    """The two-moons lesson after 30 epochs, its canvas at 100% around h1, a1 and h2: each hidden
    unit's output over the plane on its layer's card. (The guide's picture of the whole window,
    moons_unit_pictures.png, is the command line's: `python main.py graphs/moons_boundary.json
    --screenshot docs/img/moons_unit_pictures.png --size 1280x720 --after-epochs 30`.)"""
    w = window_for(app, "moons_boundary.json")
    w.resize(1280, 720)
    _fit(app, w)
    w.run_for_screenshot(30)
    settle(app)
    # the canvas at 100% around h1, a1 and h2, drawn from the scene itself: at 1280x720 the
    # canvas pane is shorter than a card
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    h1, h2 = w.scene.node_item("h1"), w.scene.node_item("h2")
    left, right = h1.sceneBoundingRect().left() - 40, h2.sceneBoundingRect().right() + 40
    region = QRectF(left, h1.scenePos().y() - 10, right - left, 290)
    image = QImage(int(region.width()), int(region.height()), QImage.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    w.scene.render(painter, QRectF(image.rect()), region)
    painter.end()
    image.save(str(out / "moons_unit_pictures_100.png"))
    print(out / "moons_unit_pictures_100.png")
    w.session.shutdown()
    w.controller.undo_stack.setClean()
    w.close()


def experiment_panel(app, out: Path) -> None:
    """The two-moons lesson at 1280x720 with the Experiment panel's tab raised. The window is
    opened at that size, as `main.py --screenshot --size 1280x720` does, so the docks are sized
    for it (window_for sizes them at 1600x1000 first)."""
    from gui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp())
    w = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.IniFormat), "light",
                   recovery_dir=tmp / "recovery")
    apply_theme(app, THEMES["light"])
    w.controller.open_file(GRAPHS / "moons_boundary.json")
    w.resize(1280, 720)
    w.show()
    settle(app)
    w.experiment_dock.raise_()
    w.show_start_of_graph()
    finish(app, w, out / "experiment_panel.png")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    only = set(argv[1:])                       # names of shots to make; all when none is given
    for shot in (lesson, error_badge, refused, dark, csv_preview, vanishing_mid_run, diverged,
                 clipped_mid_run, decision_boundary, autoencoder_mid_run, autoencoder_canvas,
                 latent_explorer, dbn_pretraining, dbn_canvas, dbn_fine_tuning, rbm_gibbs,
                 gan_ring_mid_run, gan_ring_trained, gan_digits_mid_run, gan_digits_trained,
                 predict_panel, presenter_mode, experiment_panel):
        if not only or shot.__name__ in only:
            shot(app, out)
    if not only or "autoencoder_mid_run_720p" in only:
        autoencoder_mid_run(app, out, (1280, 720))
    if not only or "moons_unit_pictures" in only:
        moons_unit_pictures(app, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
