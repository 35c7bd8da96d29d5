from pydantic import BaseModel, Field


class BearerResponse(BaseModel):
    access_token: str = Field(examples=["eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3ZhbHVl"])
    token_type: str


def openapi_responses() -> dict:
    return {
        200: {
            "model": BearerResponse,
            "content": {
                "application/json": {
                    "example": {
                        "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiOTIyMWZm"
                        "YzktNjQwZi00MzcyLTg2ZDMtY2U2NDJjYmE1NjAzIn0.M10bjOe45I5Ncu_uXvOmVV8Qxn",
                        "token_type": "bearer",
                    }
                }
            },
        }
    }
