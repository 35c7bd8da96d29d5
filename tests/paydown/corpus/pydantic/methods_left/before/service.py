from pydantic import BaseModel


class Report(BaseModel):
    title: str


class Custom(BaseModel):
    name: str

    def copy(self, **changes):
        return Custom(name=changes.get("name", self.name))


def export(row, path, custom: Custom):
    data = row.dict()
    report = Report.parse_file(path)
    schema = Report.schema_json(indent=2)
    kind = Report.__fields__["title"].outer_type_
    clone = custom.copy(update={"name": "x"})
    return data, report, schema, kind, clone, row.json(exclude={"secret"}, encoder=str)
