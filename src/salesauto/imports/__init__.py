"""Contact imports: reading CSV exports, mapping their columns and previewing them."""
