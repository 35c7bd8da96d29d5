from .models import Organization, OrganizationUpdate


def update(*, db_session, organization: Organization, organization_in: OrganizationUpdate):
    """Copy the changed fields onto the ORM row (its base class has its own dict())."""
    organization_data = organization.dict()
    for field in organization_data:
        setattr(organization, field, getattr(organization_in, field, None))
    db_session.commit()
    return organization
