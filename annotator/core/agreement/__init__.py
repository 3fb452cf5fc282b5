"""Inter-annotator agreement: span F1, token-level kappa, Krippendorff's alpha,
event trigger/argument F1, claim span/claimant/attribute agreement, and
coreference (MUC, B³, CEAF-e, CoNLL: :mod:`annotator.core.agreement.coref`).

The definitions (what is a match, which documents count) are in
``docs/agreement.md``; this module follows them exactly. In short:

- Pairwise metrics treat annotator *a* as reference and *b* as response:
  precision = matched / |b|, recall = matched / |a|, F1 = 2 matched / (|a| + |b|);
  F1 is symmetric. A value that divides by zero is ``None`` (undefined).
- Matches are one-to-one. *Exact*: same document, start, end and label.
  *Overlap*: same document and label and at least one shared character; the
  number of matches is a maximum bipartite matching, so F1 never exceeds 1.
- Token metrics use :func:`annotator.core.tokenize.tokenize`, cut at every span
  boundary of the annotators compared so that no token straddles a span. A
  token's category is the set of entity labels covering it (``O`` if none).
- Documents: with ``documents="shared"`` (the default) a document counts for a
  pair when both annotators made at least one annotation (of any kind) in it,
  and in Krippendorff's alpha an annotator's values exist only for documents
  they annotated. With ``documents="any"`` a document counts when at least one
  annotator annotated it; the others count as having marked nothing.

Everything is computed from one query over the annotations and the texts of
the documents involved; no annotation is validated twice.

How it stays fast (the results are those of the definitions, token by token;
``tests/core/test_agreement_fast.py`` checks that on random corpora):

- Tokens are never built. The span boundaries cut a document into pieces whose
  tokens all have the same categories for every annotator; only the number of
  tokens in each piece is needed (:func:`annotator.core.tokenize.token_ranks`).
- The token counts of all pairs and of Krippendorff's alpha are sums over one
  count of per-piece category vectors, made in a single pass over the documents.
- The cyclic garbage collector is paused while a corpus is read and compared.
"""

from annotator.core.agreement.corpus import DOCUMENT_MODES, OUTSIDE, AgreementError, Corpus, TooFewAnnotators, load_corpus
from annotator.core.agreement.matching import max_overlap_matching
from annotator.core.agreement.metrics import cohen_kappa, krippendorff_alpha_nominal, prf
from annotator.core.agreement.report import (
    agreement,
    compute,
    coref_agreement,
    document_disagreement,
    format_report,
    pair_disagreement,
)

__all__ = [
    "DOCUMENT_MODES",
    "OUTSIDE",
    "AgreementError",
    "TooFewAnnotators",
    "Corpus",
    "load_corpus",
    "agreement",
    "compute",
    "coref_agreement",
    "cohen_kappa",
    "krippendorff_alpha_nominal",
    "prf",
    "max_overlap_matching",
    "document_disagreement",
    "pair_disagreement",
    "format_report",
]
