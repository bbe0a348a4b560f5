"""The example queries as published in site/queries/ (and on the home page), pasted as they are into another store:
a parameterised question carries its default in a VALUES block, so it answers what its title asks, exactly as
`migration-kg query NAME` does with the default."""

from __future__ import annotations

import pytest
from store_checks import PARAMETERISED, published_answers_equal_embedded


@pytest.mark.server
def test_published_parameterised_queries_answer_the_documented_question_on_oxigraph(oxigraph, site_dir, dist_dir,
                                                                                     project_root):
    asks = published_answers_equal_embedded(oxigraph.query_url, site_dir, dist_dir, project_root)
    # The README: Amman is not in the article's own list; Montréal leads the council.
    assert asks == {"article-lists-city": False, "montreal-leads-council": True}


def test_every_parameterised_question_is_checked(project_root):
    from migration_kg.query.questions import list_queries

    assert {q.name for q in list_queries(project_root / "queries") if q.defaults} == set(PARAMETERISED)
