"""Response fields whose values the data can extend (a fact's ``type``, ``status``, an event's
``kind``, an entity's ``type``…): open vocabularies.

In a RESPONSE schema such a field is a plain string, not a closed ``enum``: a client generated
from today's spec must still parse an answer that carries a value added tomorrow (a new event
kind is a change to schema/facts.schema.json and the seeds, not to the API). The known values
are documented, in the description and as the schema's ``examples`` (JSON Schema 2020-12),
so documentation and generators still show them. Request FILTERS stay closed (``OneOf`` in
api/params.py and the resources): an unknown value there is refused, as it names nothing.
"""
import marshmallow as ma


def known_values_note(values):
    listed = ", ".join(f"`{value}`" for value in values)
    return (f"Known values: {listed}. The list can grow without a new API version: "
            "treat a value not listed here as unknown, not as an error.")


def open_choice(values, description=None, **kwargs):
    """A string field documented with its known ``values`` but open to new ones (see above)."""
    values = [value for value in values if value is not None]
    text = known_values_note(values)
    metadata = {"description": f"{description.rstrip('.')}. {text}" if description else text, "examples": values}
    return ma.fields.String(metadata=metadata, **kwargs)
