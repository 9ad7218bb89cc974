"""Renderers of the monthly report: txt, md, csv and html (``output.render``)."""
