"""Demo and scale data: `seed_demo`, `seed_scale`. Never imported by the product (import contracts)."""
