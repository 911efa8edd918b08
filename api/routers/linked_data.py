"""Router: linked_data (stub, to be filled)."""

from fastapi import APIRouter

router = APIRouter()
