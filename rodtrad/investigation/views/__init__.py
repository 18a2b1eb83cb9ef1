"""Investigation pages: parse → authorize (access.py) → call a service or query → render.

Reads use the case's visible scope (emergency access may read); writes use the editable scope
(`for_edit=True`): out of scope is 404; a role that may never do the thing (an extension by
anyone but a team manager of the district) is 403. Every form goes through
`rodtrad.lib.forms.handle_form`; the documents through one class-based view
(`documents.DocumentView`). By topic:

* `overview` – the investigation's page, informing the parties, closing;
* `documents` – plan, areas, risk assessments, analysis (`investigation/kinds.py`);
* `records` – contacts and needs;
* `extensions` – extension requests and decisions;
* `communication` – kommunicering and its answers.
"""
