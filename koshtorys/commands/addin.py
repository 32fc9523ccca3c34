"""``koshtorys addin build|install``: the Excel add-in from the sources in ``addin/``."""

from __future__ import annotations

from pathlib import Path

from .outcome import Outcome

__all__ = ["addin"]


def addin(action: str, outdir: Path, lang: str = "uk") -> Outcome:
    """Build the add-in into ``outdir``, or install it where Excel loads add-ins."""
    from koshtorys.addin.vba.build import build_addin, install_addin

    out = Outcome(lang)
    if action == "build":
        for p in build_addin(Path(outdir)):
            out.files.append(p)
            out.say("built", path=p)
    else:
        p = install_addin()
        out.files.append(p)
        out.say("installed", path=p)
    return out
