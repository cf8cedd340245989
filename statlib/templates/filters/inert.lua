--[[ inert.lua — nothing from a notebook's content is active in an output (runs after notebook.lua).

Labels from data (indicator, region, unit and note strings) reach pandoc inside Markdown and HTML
outputs; whatever markup they carry must stay text in every format:
  - a Link whose target is not an in-document anchor (`#…`) becomes its text;
  - an Image whose source is not one of the notebook's own outputs or attachments (the entries
    pandoc's ipynb reader put in the media bag) becomes its alt text: a path or URL named by
    content is never read, fetched or embedded (`--extract-media` then holds only the notebook's
    own images);
  - raw HTML/TeX/Typst becomes text;
  - key=value attributes are dropped (`onclick=…`, `style=…` on a Span are live in HTML), except
    `tags` (the editions hook reads `internal-only` from it) and an Image's `png`, `width`,
    `height`.
]]

local KEEP = { tags = true }
local KEEP_IMAGE = { tags = true, png = true, width = true, height = true }

local function own_media(src)
  return src ~= nil and src ~= "" and pandoc.mediabag.lookup(src) ~= nil
end

local function clean_attr(attr, keep)
  local pairs_ = {}
  for k, v in pairs(attr.attributes) do
    if keep[k] then
      pairs_[k] = v
    end
  end
  attr.attributes = pairs_
  return attr
end

local function clean(el)
  el.attr = clean_attr(el.attr, KEEP)
  return el
end

local function clean_table(tbl)
  tbl.attr = clean_attr(tbl.attr, KEEP)
  local function rows(list)
    for _, row in ipairs(list) do
      row.attr = clean_attr(row.attr, KEEP)
      for _, cell in ipairs(row.cells) do
        cell.attr = clean_attr(cell.attr, KEEP)
      end
    end
  end
  tbl.head.attr = clean_attr(tbl.head.attr, KEEP)
  rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    body.attr = clean_attr(body.attr, KEEP)
    rows(body.head)
    rows(body.body)
  end
  tbl.foot.attr = clean_attr(tbl.foot.attr, KEEP)
  rows(tbl.foot.rows)
  return tbl
end

return {
  {
    RawInline = function(el)
      return pandoc.Str(el.text)
    end,
    RawBlock = function(el)
      return pandoc.Para({ pandoc.Str(el.text) })
    end,
    Link = function(el)
      if el.target:sub(1, 1) == "#" and not el.target:find("[%s\"'<>]") then
        el.attr = clean_attr(el.attr, KEEP)
        el.title = ""
        return el
      end
      return el.content
    end,
    Image = function(el)
      if not own_media(el.src) then
        return el.caption
      end
      local png = el.attributes.png
      if png ~= nil and not own_media(png) then
        el.attributes.png = nil
      end
      el.attr = clean_attr(el.attr, KEEP_IMAGE)
      return el
    end,
    Span = clean,
    Div = clean,
    Header = clean,
    Code = clean,
    CodeBlock = clean,
    Figure = clean,
    Table = clean_table,
  },
}
