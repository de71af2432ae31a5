"""PDF documents: plain data in, bytes out. The only place that knows fpdf2 and the fonts."""
