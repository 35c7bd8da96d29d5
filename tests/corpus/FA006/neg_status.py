from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import JSONResponse

from app.schemas import ProjectIn, ProjectOut, Token

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_project(data: ProjectIn) -> ProjectOut:
    """Create a project."""
    if await name_taken(data.name):
        raise HTTPException(status.HTTP_409_CONFLICT, "name taken")
    return await insert_project(data)


@router.post("/token")
async def create_access_token(form: dict) -> Token:
    """OAuth2 token endpoint: answers 200 by the spec."""
    return await issue_token(form)


@router.post("/search")
async def add_filters_and_search(query: dict) -> list[ProjectOut]:
    """A POST that reads."""
    return await search(query)


@router.post("/{project_id}/members")
async def add_member(project_id: int, user_id: int, response: Response) -> dict:
    """Add a member; 200 when they were already one."""
    if await is_member(project_id, user_id):
        return {"member": True}
    response.status_code = status.HTTP_201_CREATED
    return await insert_member(project_id, user_id)


@router.post("/{project_id}/invites")
async def create_invite(project_id: int) -> JSONResponse:
    """Invite."""
    if not await can_invite(project_id):
        return JSONResponse({"error": "quota reached"}, status_code=429)
    return JSONResponse(await invite(project_id), status_code=201)


@router.post("/{project_id}/archive")
async def archive_project(project_id: int) -> dict:
    """Archive; a POST action, not a create."""
    await archive(project_id)
    return {"archived": True, "error": None}


@router.get("/{project_id}/health")
async def health(project_id: int) -> dict:
    """Status of the project's checks."""
    return {"status": "ok", "errors_last_hour": 0}


def format_error(message: str) -> dict:
    return {"error": message}


@router.post("/register")
async def create(request: Request) -> Response:
    """Register a client; the authorization server builds the response and its status."""
    return await authorization_server.create_endpoint_response(request)
