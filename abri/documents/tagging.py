"""Tagged PDF (ISO 32000-1 §14.7–14.8, PDF/UA-1 where ReportLab allows) for the PDFs Abri draws itself.

ReportLab has no public tagging API, but its document catalog accepts `StructTreeRoot` and `MarkInfo`
entries and its canvas writes whatever page operators it is given. So tagging is done while drawing,
in the same pass (no second parse of the PDF, no new dependency, a few tenths of a millisecond):

- every piece of content is drawn inside a marked-content sequence `/<role> <</MCID n>> BDC … EMC`
  (`Tagger.mark(node)`), decoration inside `/Artifact BMC … EMC` (`Tagger.artifact()`);
- `Tagger.finish()` (called just before `canvas.save()`) writes the structure tree: a /Document element
  with /H1, /H2, /P, /Table (/TR, /TH, /TD), /Figure (with /Alt) …, each element pointing to its marked
  content by page and MCID, the parent tree (page → elements, for readers that start from the page),
  /StructParents and /Tabs /S on each page, /MarkInfo << /Marked true >>, /Lang and
  /ViewerPreferences << /DisplayDocTitle true >> in the catalog.

Signing comes after, as an incremental update that leaves these objects untouched (pdf_sign).
Known limit (documented in the accessibility statement): the text uses the standard PDF fonts
(Helvetica), which are not embedded, as PDF/UA-1 would require; the structure itself is complete.
"""

from __future__ import annotations

from contextlib import contextmanager

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFPage, PDFString
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, Table

DEFAULT_LANG = "fr-FR"
_PAGE_KEYS = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]


class Node:
    """A structure element (role: a standard structure type such as "H1", "P", "Table", "Figure")."""

    __slots__ = ("role", "parent", "alt", "bbox", "kids", "attached", "name")

    def __init__(self, role: str, parent: Node | None = None, *, alt: str = "", bbox=None):
        self.role = role
        self.parent = parent  # None: the /Document element of whichever tagger draws it
        self.alt = alt
        self.bbox = bbox  # (x0, y0, x1, y1) of a figure, in points
        self.kids: list = []  # Node, or (page index, MCID)
        self.attached = False
        self.name = ""


class Tagger:
    """Marks the content drawn on one ReportLab canvas and writes its structure tree."""

    def __init__(self, canvas, *, lang: str = DEFAULT_LANG):
        self.canvas = canvas
        self.document = Node("Document")
        self.document.attached = True
        self._nodes: list[Node] = [self.document]
        self._mcids: dict[int, list[Node]] = {}
        self._finished = False
        canvas._doc.Catalog.Lang = PDFString(lang)
        canvas._doc._pdfVersion = max(canvas._doc._pdfVersion, (1, 7))  # MarkInfo, Lang: PDF 1.4+
        canvas.setViewerPreference("DisplayDocTitle", "true")

    def node(self, role: str, parent: Node | None = None, *, alt: str = "", bbox=None) -> Node:
        return Node(role, parent, alt=alt, bbox=bbox)

    def _attach(self, node: Node) -> None:
        if node.attached:
            return
        parent = node.parent or self.document
        self._attach(parent)
        parent.kids.append(node)
        node.attached = True
        self._nodes.append(node)

    @contextmanager
    def mark(self, node: Node):
        """Draw content belonging to `node` (on the current page)."""
        self._attach(node)
        page = self.canvas.getPageNumber() - 1
        owners = self._mcids.setdefault(page, [])
        mcid = len(owners)
        owners.append(node)
        node.kids.append((page, mcid))
        code = self.canvas._code
        code.append(f"/{node.role} <</MCID {mcid}>> BDC")
        try:
            yield node
        finally:
            code.append("EMC")

    def tag(self, role: str, parent: Node | None = None, *, alt: str = "", bbox=None):
        """A new element of `role` and its content: `with tagger.tag("P"): canvas.drawString(…)`."""
        return self.mark(Node(role, parent, alt=alt, bbox=bbox))

    @contextmanager
    def artifact(self):
        """Draw decoration that is not content (rules, backgrounds, running headers)."""
        code = self.canvas._code
        code.append("/Artifact BMC")
        try:
            yield
        finally:
            code.append("EMC")

    def finish(self) -> None:
        """Write the structure tree into the document; call once, after the last page is drawn."""
        if self._finished:
            return
        self._finished = True
        if self.canvas._code:  # the last page is still open: close it as save() would
            self.canvas.showPage()
        doc = self.canvas._doc
        pages = doc.Pages.pages
        prefix = f"AbriStruct{id(self):x}_"
        root_name = prefix + "Root"
        for index, node in enumerate(self._nodes):
            node.name = f"{prefix}{index}"
        for node in self._nodes:
            # /Pg: the page of the element's first marked content; its MCIDs there are plain integers,
            # those on other pages (a paragraph running over a page break) are marked-content references.
            home = next((kid[0] for kid in node.kids if not isinstance(kid, Node)), None)
            kids = []
            for kid in node.kids:
                if isinstance(kid, Node):
                    kids.append(PDFObjectReference(kid.name))
                elif kid[0] == home:
                    kids.append(kid[1])
                else:
                    kids.append(PDFDictionary({
                        "Type": PDFName("MCR"), "Pg": PDFObjectReference(f"Page{kid[0] + 1}"), "MCID": kid[1],
                    }))
            entries = {
                "Type": PDFName("StructElem"),
                "S": PDFName(node.role),
                "P": PDFObjectReference(root_name if node is self.document else (node.parent or self.document).name),
                "K": PDFArray(kids),
            }
            if home is not None:
                entries["Pg"] = PDFObjectReference(f"Page{home + 1}")
            if node.alt:
                entries["Alt"] = PDFString(node.alt)
            if node.bbox:
                entries["A"] = PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray([round(v, 2) for v in node.bbox])})
            elif node.role == "TH":  # header cells name their column
                entries["A"] = PDFDictionary({"O": PDFName("Table"), "Scope": PDFName("Column")})
            doc.Reference(PDFDictionary(entries), node.name)
        nums = []
        for index in range(len(pages)):
            nums += [index, PDFArray([PDFObjectReference(owner.name) for owner in self._mcids.get(index, [])])]
        doc.Reference(PDFDictionary({"Nums": PDFArray(nums)}), prefix + "ParentTree")
        doc.Reference(PDFDictionary({
            "Type": PDFName("StructTreeRoot"),
            "K": PDFObjectReference(self.document.name),
            "ParentTree": PDFObjectReference(prefix + "ParentTree"),
            "ParentTreeNextKey": len(pages),
        }), root_name)
        catalog = doc.Catalog
        catalog.StructTreeRoot = PDFObjectReference(root_name)
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        for index, page in enumerate(pages):
            page.__NoDefault__ = _PAGE_KEYS
            page.StructParents = index
            page.Tabs = PDFName("S")


class TaggedCanvas(rl_canvas.Canvas):
    """A canvas that tags as it draws (for platypus documents: `doc.build(story, canvasmaker=TaggedCanvas)`)."""

    def __init__(self, *args, **kwargs):
        kwargs["lang"] = kwargs.get("lang") or DEFAULT_LANG
        super().__init__(*args, **kwargs)
        self.tagger = Tagger(self, lang=kwargs["lang"])

    def save(self):
        self.tagger.finish()
        super().save()


class TaggedParagraph(Paragraph):
    """A platypus paragraph drawn as the content of `node` (its pieces stay one element across pages)."""

    abri_node: Node | None = None

    def __init__(self, text, style, *args, node: Node | None = None, **kwargs):
        super().__init__(text, style, *args, **kwargs)
        if node is not None:
            self.abri_node = node

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.abri_node = self.abri_node
        return parts

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's name
        tagger = getattr(canvas, "tagger", None)
        if tagger is None or self.abri_node is None:
            return super().drawOn(canvas, x, y, _sW)
        with tagger.mark(self.abri_node):
            return super().drawOn(canvas, x, y, _sW)


class LayoutTable(Table):
    """A table used for layout (a bordered box): its background and rules are artifacts; its cells,
    tagged paragraphs, carry the content."""

    def _drawBkgrnd(self):  # noqa: N802 - ReportLab's name
        tagger = getattr(self.canv, "tagger", None)
        if tagger is None:
            return super()._drawBkgrnd()
        with tagger.artifact():
            return super()._drawBkgrnd()

    def _drawLines(self):  # noqa: N802 - ReportLab's name
        tagger = getattr(self.canv, "tagger", None)
        if tagger is None:
            return super()._drawLines()
        with tagger.artifact():
            return super()._drawLines()
