from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.schemas import ProjectIn, ProjectOut

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("/")
async def create_project(data: ProjectIn) -> ProjectOut:  # HIT
    """Create a project."""
    return await insert_project(data)


@router.post("/{project_id}/members")
async def add_member(project_id: int, user_id: int) -> dict:  # HIT
    """Add a member."""
    if not await user_exists(user_id):
        return {"error": "unknown user"}  # HIT
    return await insert_member(project_id, user_id)


@router.get("/{project_id}")
async def read_project(project_id: int) -> ProjectOut:
    """One project."""
    project = await load(project_id)
    if project is None:
        return {"success": False, "message": "not found"}  # HIT
    return project


@router.put("/{project_id}")
async def rename_project(project_id: int, name: str) -> ProjectOut:
    """Rename."""
    if not name.strip():
        return JSONResponse({"status": "error", "detail": "blank name"})  # HIT
    return await rename(project_id, name)
