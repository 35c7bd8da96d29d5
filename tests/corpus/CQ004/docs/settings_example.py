SECRET_KEY = "9f3b1c0e6d2a4b8f9e7c5a3d1b0f2e4c7a9d"
DATABASE_URL = "postgresql://orders:Tr0ub4dor-3x@db.prod.internal:5432/orders"
