"""Receipts: document model, layout, ESC/POS and raster rendering, e-receipt token and QR."""
