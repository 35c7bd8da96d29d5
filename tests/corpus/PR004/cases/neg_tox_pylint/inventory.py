STOCK: dict[str, int] = {}
