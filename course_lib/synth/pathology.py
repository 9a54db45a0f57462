"""Synthetic H&E lymph-node slides written as real pyramidal tiled TIFFs, with their truth (notebook 04).

Stain physics (Beer-Lambert): each pixel holds a haematoxylin and an eosin concentration,
its optical density is OD = c_H * h + c_E * e (h, e: stain vectors, Ruifrok & Johnston 2001,
as in skimage.color.rgb_from_hed) and its colour is 255 * 10**(-OD). Tissue is painted from
four textures, each a torus (seamless) of nuclei stamped by FFT convolution:
- lymphoid: small (~7 um), dense, dark lymphocyte nuclei (most of a lymph node);
- stroma: sparse small nuclei in pink fibres (capsule, trabeculae);
- mimic: sinus histiocytes, larger pale nuclei in pink cytoplasm (a benign look-alike);
- tumour: metastatic carcinoma, large crowded pleomorphic nuclei.
A slide is a low-resolution label layout (cells of 32 um) painted with these textures, so the
tumour mask is known exactly at every level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tifffile
from scipy import ndimage

KINDS = ("background", "lymphoid", "stroma", "mimic", "tumour")
TUMOUR = KINDS.index("tumour")
MPP_LEVEL0 = 0.5  # um per pixel at level 0: a "20x" scan (40x scanners give ~0.25 um/px)
CELL_UM = 32.0  # layout cell size (um)
BACKGROUND_RGB = 242  # glass, slightly grey as scanners show it
# Ruifrok & Johnston haematoxylin and eosin OD vectors (the rows of skimage.color.rgb_from_hed).
H_VECTOR = np.array([0.65, 0.70, 0.29])
E_VECTOR = np.array([0.07, 0.99, 0.11])
# Scanner/lab "sites": stain vectors and strengths differ between labs (the stain-variation problem).
SITES = {
    "A": {"h": H_VECTOR, "e": E_VECTOR, "h_gain": 1.0, "e_gain": 1.0},
    "B": {"h": np.array([0.50, 0.80, 0.33]), "e": np.array([0.02, 0.90, 0.43]), "h_gain": 1.35,
          "e_gain": 0.7},
}
# Per texture: nuclei per mm^2, nucleus radii (um), H strength, cytoplasm/fibre eosin level.
TEXTURES = {
    "lymphoid": {"density": 14000, "radii": (3.2, 3.6, 4.0), "h": 1.3, "e": 0.12},
    "stroma": {"density": 700, "radii": (2.5, 3.0), "h": 1.0, "e": 0.65},
    "mimic": {"density": 2800, "radii": (4.5, 5.5, 6.5), "h": 0.75, "e": 0.45},
    "tumour": {"density": 4500, "radii": (5.0, 6.5, 8.0), "h": 1.4, "e": 0.4},
}
Q = 128  # quantisation levels of each concentration for the colour lookup table
C_MAX = 2.5  # concentration range of the lookup table


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, float) / np.linalg.norm(v)


def stain_lut(site: str = "A", h_gain: float = 1.0, e_gain: float = 1.0) -> np.ndarray:
    """Colour lookup table (Q, Q, 3) uint8 from quantised (c_H, c_E) by Beer-Lambert (notebook 04).

    `h_gain`, `e_gain` scale the stain amounts: slide-to-slide variation within one lab.
    """
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}; use one of {sorted(SITES)}")
    s = SITES[site]
    c = np.linspace(0, C_MAX, Q)
    od = (c[:, None, None] * s["h_gain"] * h_gain * _unit(s["h"])
          + c[None, :, None] * s["e_gain"] * e_gain * _unit(s["e"]))
    rgb = BACKGROUND_RGB * 10.0 ** (-od)
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


def _smooth_noise(rng: np.random.Generator, size: int, sigma_px: float) -> np.ndarray:
    """Toroidal smooth noise with unit standard deviation (Gaussian filter in Fourier space)."""
    f = np.fft.fftfreq(size)
    g = np.exp(-2 * (np.pi * sigma_px) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    out = np.fft.ifft2(np.fft.fft2(rng.standard_normal((size, size))) * g).real
    return out / (out.std() + 1e-9)


def _disc(radius_px: float, size: int) -> np.ndarray:
    """A soft disc (nucleus profile) centred at (0, 0) of a torus of side `size`."""
    d = np.minimum(np.arange(size), size - np.arange(size)).astype(float)
    r = np.hypot(d[:, None], d[None, :])
    return np.clip(radius_px + 0.5 - r, 0, 1)


def texture(kind: str, size: int, mpp: float, seed: int) -> np.ndarray:
    """Seamless (c_H, c_E) concentration texture (2, size, size) float32 of one tissue kind (notebook 04)."""
    if kind not in TEXTURES:
        raise ValueError(f"unknown tissue kind {kind!r}; use one of {sorted(TEXTURES)}")
    p, rng = TEXTURES[kind], np.random.default_rng(seed)
    area_mm2 = (size * mpp / 1000) ** 2
    n = rng.poisson(p["density"] * area_mm2)
    h = np.zeros((size, size))
    spectrum = np.zeros((size, size), complex)
    for radius in p["radii"]:  # pleomorphism: several nucleus sizes, each stamped by one FFT
        k = n // len(p["radii"])
        imp = np.zeros((size, size))
        np.add.at(imp, (rng.integers(0, size, k), rng.integers(0, size, k)), rng.uniform(0.7, 1.3, k))
        spectrum += np.fft.fft2(imp) * np.fft.fft2(_disc(radius / mpp, size))
    h = np.fft.ifft2(spectrum).real
    h = np.minimum(h, 1.4) * p["h"]  # overlapping nuclei do not get darker without bound
    chromatin = 1 + 0.25 * _smooth_noise(rng, size, 0.6 / mpp)  # granular chromatin
    h = h * chromatin
    e = p["e"] * (1 + 0.3 * _smooth_noise(rng, size, 3 / mpp)) * (1 - 0.5 * np.clip(h, 0, 1))
    if kind == "stroma":  # fibres: noise stretched along one direction
        fib = ndimage.gaussian_filter(rng.standard_normal((size, size)), (0.5 / mpp, 6 / mpp), mode="wrap")
        e = e * (1 + 0.6 * fib / (fib.std() + 1e-9))
    return np.clip(np.stack([h, e]), 0, C_MAX).astype(np.float32)


@dataclass
class TextureBank:
    """The four tissue textures at one resolution, as quantised concentration indices (notebook 04)."""

    mpp: float
    size: int
    q: np.ndarray = field(repr=False)  # (len(KINDS), 2, size, size) uint8; kind 0 = glass
    jitter: np.ndarray = field(repr=False)  # (2, size, size) int: ragged tissue borders
    _rgb: tuple | None = field(default=None, repr=False)

    @classmethod
    def build(cls, mpp: float, size: int = 512, seed: int = 0) -> TextureBank:
        """Build the bank (notebook 04)."""
        q = np.zeros((len(KINDS), 2, size, size), np.uint8)
        for i, kind in enumerate(KINDS[1:], 1):
            q[i] = np.round(texture(kind, size, mpp, seed * 10 + i) / C_MAX * (Q - 1)).astype(np.uint8)
        rng = np.random.default_rng(seed + 99)
        cell = CELL_UM / mpp
        jitter = np.stack([_smooth_noise(rng, size, cell / 3) for _ in range(2)]) * cell / 3
        return cls(mpp, size, q, np.round(jitter).astype(np.int32))

    def paint(self, layout: np.ndarray, y0: int, x0: int, h: int, w: int, lut: np.ndarray,
              offset: tuple[int, int] = (0, 0)) -> np.ndarray:
        """RGB pixels (h, w, 3) uint8 of the region at (y0, x0) of a slide with this label layout.

        `offset` shifts the textures, so that slides sharing a bank do not share pixels.
        """
        cell = CELL_UM / self.mpp
        ty = np.arange(y0 + offset[0], y0 + offset[0] + h) % self.size
        tx = np.arange(x0 + offset[1], x0 + offset[1] + w) % self.size
        jy, jx = self.jitter[0][np.ix_(ty, tx)], self.jitter[1][np.ix_(ty, tx)]
        ly = np.clip(((np.arange(y0, y0 + h)[:, None] + jy) / cell).astype(np.int32), 0, layout.shape[0] - 1)
        lx = np.clip(((np.arange(x0, x0 + w)[None, :] + jx) / cell).astype(np.int32), 0, layout.shape[1] - 1)
        kind = layout[ly, lx]
        if lut is None:  # concentration indices (h, w, 2) instead of colours
            flat = kind.ravel().astype(np.intp) * (self.size * self.size) + (ty[:, None] * self.size + tx).ravel()
            return self.q.transpose(0, 2, 3, 1).reshape(-1, 2)[flat].reshape(h, w, 2)
        if self._rgb is None or self._rgb[0] is not lut:  # colour the bank once per stain table
            self._rgb = (lut, lut[self.q[:, 0], self.q[:, 1]])  # (K, size, size, 3)
        rgb = self._rgb[1]
        if ty[0] + h <= self.size and tx[0] + w <= self.size:  # no wrap: slices
            rgb = rgb[:, ty[0]:ty[0] + h, tx[0]:tx[0] + w]
        else:
            rgb = rgb[:, ty][:, :, tx]
        flat = kind.ravel().astype(np.intp) * (h * w) + np.arange(h * w)
        return rgb.reshape(-1, 3)[flat].reshape(h, w, 3)


def _blob(rng: np.random.Generator, shape: tuple[int, int], fill: float, smooth: float) -> np.ndarray:
    """A smooth random blob covering about `fill` of an elliptic window."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    r = np.hypot((yy - shape[0] / 2) / (shape[0] / 2), (xx - shape[1] / 2) / (shape[1] / 2))
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), smooth)
    score = -r + 0.6 * noise / (noise.std() + 1e-9)
    return score > np.quantile(score, 1 - fill)


def lymph_node_layout(shape: tuple[int, int], rng: np.random.Generator, tissue: float = 0.55,
                      mimic: float = 0.1, tumour_cells: int = 0) -> np.ndarray:
    """Label layout (cells of 32 um) of a lymph-node section, with `tumour_cells` cells of metastasis."""
    tissue_mask = _blob(rng, shape, tissue, max(shape) / 10)
    layout = np.where(tissue_mask, KINDS.index("lymphoid"), 0).astype(np.uint8)
    rim = tissue_mask & ~ndimage.binary_erosion(tissue_mask, iterations=1)  # capsule
    trab = ndimage.gaussian_filter(rng.standard_normal(shape), 1.5)
    layout[rim | (tissue_mask & (np.abs(trab) < 0.02))] = KINDS.index("stroma")
    sinus = ndimage.gaussian_filter(rng.standard_normal(shape), 2.0)
    inner = ndimage.binary_erosion(tissue_mask, iterations=1)
    if mimic > 0:
        layout[inner & (sinus > np.quantile(sinus[inner], 1 - mimic))] = KINDS.index("mimic")
    return grow_tumour(layout, rng, tumour_cells)


def grow_tumour(layout: np.ndarray, rng: np.random.Generator, cells: int) -> np.ndarray:
    """Paint one metastasis of `cells` layout cells, grown from a random seed inside the tissue."""
    layout = layout.copy()
    inner = ndimage.binary_erosion(layout > 0, iterations=1)
    if cells <= 0 or not inner.any():
        return layout
    ys, xs = np.nonzero(inner)
    k = rng.integers(len(ys))
    d = np.hypot(*(np.mgrid[0:layout.shape[0], 0:layout.shape[1]] - np.array([ys[k], xs[k]])[:, None, None]))
    d = d + rng.uniform(0, 1.5, layout.shape)  # irregular border
    d[~inner] = np.inf
    layout[d <= np.sort(d.ravel())[min(cells, int(inner.sum())) - 1]] = TUMOUR
    return layout


# --- Writing and reading pyramidal tiled TIFFs ------------------------------------------------


def write_pyramid(path: Path, tiles: Iterator[np.ndarray], shape: tuple[int, int], mpp: float,
                  levels: int, tile: int = 256, compression: str | None = "zlib") -> None:
    """Write a tiled pyramidal RGB TIFF, level 0 streamed tile by tile, never whole (notebook 04).

    OpenSlide reads it as a "generic tiled TIFF": every level is one tiled page, each page half or
    a quarter the size of the previous one. Lower levels are averaged from the tiles as they stream.
    """
    h, w = shape
    if h % tile or w % tile:
        raise ValueError(f"slide size {shape} must be a multiple of the tile size {tile}")
    factor = 4  # downsample between levels, as many scanners store (1, 4, 16, ...)
    small = np.full((h // factor, w // factor, 3), BACKGROUND_RGB, np.float32)

    def stream() -> Iterator[np.ndarray]:
        t4 = tile // factor
        for i, t in enumerate(tiles):
            r, c = divmod(i, w // tile)
            if t.min() < BACKGROUND_RGB:  # glass tiles are already in `small`
                # average of 4 of the 16 pixels per block: a cheap anti-aliased downsample
                small[r * t4:(r + 1) * t4, c * t4:(c + 1) * t4] = (
                    t[::4, ::4].astype(np.float32) + t[1::4, 2::4] + t[2::4, 1::4] + t[3::4, 3::4]) / 4
            yield t

    res = (1e4 / mpp, 1e4 / mpp)  # pixels per centimetre
    opts = {"tile": (tile, tile), "photometric": "rgb", "compression": compression,
            "compressionargs": {"level": 1} if compression == "zlib" else None, "resolutionunit": "CENTIMETER"}
    with tifffile.TiffWriter(path, bigtiff=h * w * 3 > 2**31) as tif:
        tif.write(stream(), shape=(h, w, 3), dtype=np.uint8, resolution=res, **opts)
        img = small
        for lev in range(1, levels):
            scale = mpp * factor ** lev  # tifffile pads the partial tiles at the edges
            tif.write(np.round(img).astype(np.uint8), resolution=(1e4 / scale, 1e4 / scale), subfiletype=1,
                      **opts)  # subfiletype 1 = reduced-resolution image: OpenSlide needs it
            if lev + 1 < levels:
                hh, ww = img.shape[0] // factor, img.shape[1] // factor
                img = img[:hh * factor, :ww * factor].reshape(hh, factor, ww, factor, 3).mean((1, 3))


@dataclass
class SyntheticSlide:
    """A slide file and its ground truth (notebook 04)."""

    path: Path
    layout: np.ndarray  # (rows, cols) labels of KINDS, one per 32 um cell
    mpp: float  # level 0
    site: str
    label: int  # 1 = metastasis present

    @property
    def tumour_mask(self) -> np.ndarray:
        """Boolean tumour mask at layout resolution (one pixel per 32 um cell)."""
        return self.layout == TUMOUR

    @property
    def cell_px(self) -> float:
        """Level-0 pixels per layout cell."""
        return CELL_UM / self.mpp


def make_big_slide(folder: Path, seed: int = 0, size: int = 10240, site: str = "A") -> SyntheticSlide:
    """A 10,240 x 10,240 px (5 x 5 mm at 0.5 um/px) lymph-node slide with a metastasis (notebook 04).

    Written tile by tile (256 x 256) with 4 pyramid levels; cached: a second call reads nothing new.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"big_lymph_node_s{seed}_{size}.tiff"
    rng = np.random.default_rng(seed)
    cells = int(round(size * MPP_LEVEL0 / CELL_UM))
    layout = lymph_node_layout((cells, cells), rng, tissue=0.3, mimic=0.1, tumour_cells=cells * cells // 60)
    slide = SyntheticSlide(path, layout, MPP_LEVEL0, site, 1)
    if path.exists():
        return slide
    bank, lut = TextureBank.build(MPP_LEVEL0, 512, seed), stain_lut(site)
    tile, cell = 256, CELL_UM / MPP_LEVEL0
    glass = np.full((tile, tile, 3), BACKGROUND_RGB, np.uint8)

    def tiles() -> Iterator[np.ndarray]:
        for y in range(0, size, tile):
            for x in range(0, size, tile):
                block = layout[max(int(y / cell) - 1, 0):int((y + tile) / cell) + 2,
                               max(int(x / cell) - 1, 0):int((x + tile) / cell) + 2]
                yield glass if not block.any() else bank.paint(layout, y, x, tile, tile, lut)

    tmp = path.with_suffix(".part")
    # Uncompressed: zlib would halve the file but double the time; real scanners use JPEG.
    write_pyramid(tmp, tiles(), (size, size), MPP_LEVEL0, levels=4, compression=None)
    tmp.replace(path)
    return slide


def make_slide_cohort(folder: Path, n: int = 200, seed: int = 0, size: int = 512, mpp: float = 2.0,
                      site: str = "A", witness: tuple[float, float] = (0.01, 0.04),
                      mimic: tuple[float, float] = (0.0, 0.5), stain_jitter: float = 0.2) -> list[SyntheticSlide]:
    """n small lymph-node slides (1 x 1 mm at 2 um/px), half with a small metastasis (notebook 04).

    Positives carry tumour on a `witness` fraction of their tissue (a few %): the weak label of MIL.
    The benign look-alike (sinus histiocytes) covers a random share of every slide, and each slide's
    stain amounts vary by +-`stain_jitter` (staining batches, section thickness).
    """
    if n < 2:
        raise ValueError("a cohort needs at least 2 slides (one of each class)")
    folder = Path(folder) / f"cohort_s{seed}_{site}_{n}_{size}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cells = int(round(size * mpp / CELL_UM))
    labels = rng.permutation(np.arange(n) % 2)
    bank = None
    slides = []
    for i, label in enumerate(labels):
        srng = np.random.default_rng([seed, i])
        base = lymph_node_layout((cells, cells), srng, tissue=srng.uniform(0.45, 0.75),
                                 mimic=srng.uniform(*mimic))
        n_tumour = max(1, int(round(srng.uniform(*witness) * (base > 0).sum()))) if label else 0
        layout = grow_tumour(base, srng, n_tumour)
        path = folder / f"slide_{i:03d}.tiff"
        slides.append(SyntheticSlide(path, layout, mpp, site, int(label)))
        gains = srng.uniform(1 - stain_jitter, 1 + stain_jitter, 2)
        offset = tuple(srng.integers(0, 512, 2))
        if not path.exists():
            bank = bank or TextureBank.build(mpp, 512, seed + 1)
            q = bank.paint(layout, 0, 0, size, size, None, offset)  # (size, size, 2) stain indices
            pixels = stain_lut(site, *gains)[q[..., 0], q[..., 1]]
            tiles = (pixels[y:y + 128, x:x + 128] for y in range(0, size, 128) for x in range(0, size, 128))
            write_pyramid(path, tiles, (size, size), mpp, levels=2, tile=128, compression=None)
    return slides


def patch_truth(slide: SyntheticSlide, coords, patch_px_level0: float) -> np.ndarray:
    """Tumour fraction (N,) of each patch (level-0 corners x, y) from the slide's true layout (notebook 04)."""
    cell = slide.cell_px
    xs, ys = np.asarray(coords["x"], float), np.asarray(coords["y"], float)
    k = max(int(round(patch_px_level0 / cell)), 1)  # layout cells per patch side
    mask = slide.tumour_mask.astype(float)
    out = np.zeros(len(xs))
    for dy in range(k):
        for dx in range(k):
            r = np.clip((ys / cell).astype(int) + dy, 0, mask.shape[0] - 1)
            c = np.clip((xs / cell).astype(int) + dx, 0, mask.shape[1] - 1)
            out += mask[r, c]
    return out / k ** 2
