"""Router: dumps (stub, to be filled)."""

from fastapi import APIRouter

router = APIRouter()
