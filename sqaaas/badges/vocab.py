"""The JSON-LD contexts and fixed type names of the credentials, in one place."""

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB3_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
REVOCATION_STATUS_TYPE = "1EdTechRevocationList"
