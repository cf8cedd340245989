--[[ notebook.lua — an executed notebook (pandoc's ipynb reader) as a publication.

Quarto cell options in code cells (`#| key: value` lines at the top):
  echo (default false: code is dropped), output (false drops the outputs),
  label (fig-… / tbl-…), fig-cap, tbl-cap.
Outputs: a text/markdown representation is re-read as Markdown (statlib tables → real tables);
an HTML representation holding a <table> is re-read as HTML (plain DataFrames) unless the same
output also has Markdown; text/plain is kept only when nothing richer exists; stdout becomes
paragraphs only when the cell has no other output; stderr and errors are dropped. Images become
figures (SVG preferred, the PNG kept in the `png` attribute for Word). Cross-references are
pandoc citations (the form Quarto reads): `见[@tbl-main]`, `[@fig-a; @fig-b]` (the reader has
`+citations`); a Cite whose ids are fig-/tbl- labels becomes 图1 / 表1 (several joined by 、), with
no bracket or space left in the Chinese text; a Cite of any other id is left alone. The old form
glued to the text before it (`见@tbl-main`, read by pandoc as text or an e-mail autolink) is still
resolved so that a bureau's older notebooks render; the project's notebooks use the Cite form
(tests/render/test_quarto_syntax.py). Numbered in document order; captions get the same prefix.
A caption that already carries its number (`表2-1 …`, `图3 …`) keeps it and is not prefixed again;
in a chapter of the yearbook (front matter `series: yearbook`, `chapter: N`) the numbers are
章-序: 表N-1, 表N-2 … and 图N-1 … (CONVENTIONS §8), and cross-references resolve to them.
Raw HTML/TeX anywhere in the notebook becomes plain text: nothing active reaches an output.
Headings are shifted so that the document's top level is level 1. Notebook metadata is dropped.
]]

local PREFIX = { fig = "图", tbl = "表" }

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function unquote(s)
  s = trim(s)
  local q = s:sub(1, 1)
  if (q == '"' or q == "'") and s:sub(-1) == q and #s >= 2 then
    return s:sub(2, -2)
  end
  return s
end

-- `#| key: value` lines at the top of a code cell; returns options and the remaining code.
local function cell_options(code)
  local opts, rest, header = {}, {}, true
  for line in (code .. "\n"):gmatch("([^\n]*)\n") do
    local body = header and line:match("^#|%s?(.*)$")
    if body then
      local key, value = body:match("^([%w_%-]+)%s*:%s*(.-)%s*$")
      if key then
        opts[key] = unquote(value)
      end
    else
      header = false
      rest[#rest + 1] = line
    end
  end
  return opts, table.concat(rest, "\n"):gsub("^%s*\n", "")
end

local function has_class(el, name)
  for _, c in ipairs(el.classes or {}) do
    if c == name then
      return true
    end
  end
  return false
end

local function falsy(v)
  return v ~= nil and (v == "false" or v == "no" or v == "False" or v == "0")
end

local function truthy(v)
  return v ~= nil and (v == "true" or v == "yes" or v == "True" or v == "1")
end

-- Raw markup from a notebook becomes the text it is: never HTML, TeX or Typst in an output.
local neutralise = {
  RawInline = function(el)
    return pandoc.Str(el.text)
  end,
  RawBlock = function(el)
    return pandoc.Para({ pandoc.Str(el.text) })
  end,
}

local function read_as(text, format)
  local ok, doc = pcall(pandoc.read, text, format)
  if not ok then
    return {}
  end
  return doc.blocks:walk(neutralise)
end

-- A DataFrame's default RangeIndex (an unnamed first column 0, 1, 2, …) says nothing in print.
local function drop_range_index(tbl)
  local head = tbl.head.rows
  if #head == 0 or #head[#head].cells == 0 then
    return tbl
  end
  if pandoc.utils.stringify(head[#head].cells[1].contents) ~= "" then
    return tbl
  end
  local i = 0
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      if pandoc.utils.stringify(row.cells[1].contents) ~= tostring(i) then
        return tbl
      end
      i = i + 1
    end
  end
  for _, row in ipairs(head) do
    row.cells:remove(1)
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      row.cells:remove(1)
    end
    body.row_head_columns = 0
  end
  tbl.colspecs:remove(1)
  return tbl
end

-- The tables of an HTML output (a DataFrame's <style> and wrapper <div> are dropped).
local function html_tables(text)
  text = text:gsub("<style.-</style>", "")
  local out = {}
  read_as(text, "html"):walk({
    Table = function(t)
      -- pandas' classes, border and inline styles say nothing in print
      t.attr = pandoc.Attr()
      for _, row in ipairs(t.head.rows) do
        row.attr = pandoc.Attr()
      end
      for _, body in ipairs(t.bodies) do
        for _, row in ipairs(body.body) do
          row.attr = pandoc.Attr()
        end
      end
      out[#out + 1] = drop_range_index(t)
    end,
  })
  return out
end

-- The blocks one output Div contributes, and whether it is a rich (non-stream) output.
local function output_blocks(div)
  if has_class(div, "stream") then
    if has_class(div, "stderr") then
      return {}, "none"
    end
    local blocks = {}
    for _, b in ipairs(div.content) do
      if b.t == "CodeBlock" then
        for para in (b.text .. "\n\n"):gmatch("(.-)\n%s*\n") do
          if trim(para) ~= "" then
            local inl = {}
            for line in (trim(para) .. "\n"):gmatch("([^\n]*)\n") do
              if #inl > 0 then
                inl[#inl + 1] = pandoc.LineBreak()
              end
              inl[#inl + 1] = pandoc.Str(line)
            end
            blocks[#blocks + 1] = pandoc.Para(inl)
          end
        end
      end
    end
    return blocks, "stream"
  end
  if has_class(div, "error") then
    return {}, "none"
  end
  local markdown, html, images, plain, rich = nil, nil, {}, {}, false
  for _, b in ipairs(div.content) do
    if b.t == "RawBlock" then
      rich = true
      if b.format == "markdown" then
        markdown = b.text
      elseif b.format == "html" and b.text:find("<table", 1, true) then
        html = b.text
      end
    elseif b.t == "Para" or b.t == "Plain" then
      for _, i in ipairs(b.content) do
        if i.t == "Image" then
          rich = true
          images[#images + 1] = i
        end
      end
    elseif b.t == "CodeBlock" then
      plain[#plain + 1] = pandoc.CodeBlock(b.text)
    end
  end
  if markdown then
    -- markup from data stays text: no raw HTML/TeX in a Markdown output
    return read_as(markdown, "markdown-raw_html-raw_tex-raw_attribute"), "rich"
  elseif html then
    return html_tables(html), "rich"
  elseif #images > 0 then
    local svg, png
    for _, img in ipairs(images) do
      if img.src:match("%.svg$") then
        svg = svg or img
      else
        png = png or img
      end
    end
    local img = svg or png
    if svg and png then
      img.attributes.png = png.src
    end
    return { pandoc.Para({ img }) }, "rich"
  elseif rich then
    return {}, "rich"
  end
  return plain, "plain"
end

-- House table alignment in every format: header cells centred, text columns left (pandoc's
-- "default" would inherit the figure's centring in Typst), numbers as the source aligned them.
local function align_table(tbl)
  for i, spec in ipairs(tbl.colspecs) do
    if spec[1] == "AlignDefault" then
      tbl.colspecs[i] = { "AlignLeft", spec[2] }
    end
  end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.alignment = "AlignCenter"
    end
  end
  return tbl
end

-- The front matter (first raw cell) as a table of strings: only what numbering needs.
local function front_matter(blocks)
  local cell = blocks[1]
  if not (cell and cell.t == "Div" and has_class(cell, "raw")) then
    return {}
  end
  local raw = cell.content[1]
  if not (raw and raw.t == "RawBlock" and raw.text:match("^%s*%-%-%-")) then
    return {}
  end
  local ok, doc = pcall(pandoc.read, raw.text, "markdown")
  if not ok then
    return {}
  end
  local out = {}
  local space = doc.meta.statlib -- statlib's own keys (older notebooks: at the top level)
  for _, key in ipairs({ "series", "chapter" }) do
    local value = doc.meta[key]
    if value == nil and type(space) == "table" then
      value = space[key]
    end
    if value ~= nil then
      out[key] = trim(pandoc.utils.stringify(value))
    end
  end
  return out
end

-- The number a caption already carries: "表2-1 …" → "表2-1", rest "…"; else nil.
local function own_number(kind, caption)
  if not caption then
    return nil
  end
  local prefix = PREFIX[kind]
  local n, rest = caption:match("^" .. prefix .. "%s*(%d+[%-%.]?%d*)%s*(.*)$")
  if n and n:match("[%-%.]$") == nil then
    return prefix .. n, rest
  end
  return nil
end

-- Label → number, per kind: 表1, 表2 … in document order; 表N-1 … in chapter N of the yearbook;
-- a caption's own number wins (and the count goes on from it within the chapter).
local function collect_labels(blocks)
  local fm = front_matter(blocks)
  local chapter = fm.series == "yearbook" and fm.chapter and fm.chapter:match("^%d+$")
  local numbers, count = {}, { fig = 0, tbl = 0 }
  for _, cell in ipairs(blocks) do
    if cell.t == "Div" and has_class(cell, "code") and cell.content[1]
        and cell.content[1].t == "CodeBlock" then
      local opts = cell_options(cell.content[1].text)
      local kind = opts.label and opts.label:match("^(%a+)%-")
      if kind and PREFIX[kind] and not numbers[opts.label] then
        count[kind] = count[kind] + 1
        local own = own_number(kind, opts[kind .. "-cap"])
        if own then
          local ch, seq = own:match("(%d+)%-(%d+)$")
          if chapter and ch == chapter then
            count[kind] = tonumber(seq)
          end
          numbers[opts.label] = own
        elseif chapter then
          numbers[opts.label] = PREFIX[kind] .. chapter .. "-" .. count[kind]
        else
          numbers[opts.label] = PREFIX[kind] .. count[kind]
        end
      end
    end
  end
  return numbers
end

local function ref_text(numbers, kind, name)
  local label = kind .. "-" .. name
  local n = numbers[label]
  if not n then
    error("unknown cross-reference @" .. label .. ": no code cell has `#| label: " .. label
      .. "`; add that line to the cell that shows it, or correct the reference", 0)
  end
  return n
end

local function replace_refs(text, numbers)
  return (text:gsub("@(%a%a%a)%-([%w_%-]*[%w_])", function(kind, name)
    if PREFIX[kind] then
      return ref_text(numbers, kind, name)
    end
  end))
end

local function xref_filter(numbers)
  return {
    Str = function(el)
      local t = replace_refs(el.text, numbers)
      if t ~= el.text then
        return pandoc.Str(t)
      end
    end,
    Link = function(el)
      -- Chinese text glued to @fig-x is read as an e-mail autolink: undo that.
      if has_class(el, "email") then
        local t = replace_refs(pandoc.utils.stringify(el.content), numbers)
        if t:find("@", 1, true) == nil then
          return pandoc.Str(t)
        end
      end
    end,
    Cite = function(el)
      local out = {}
      for _, c in ipairs(el.citations) do
        local kind, name = c.id:match("^(%a%a%a)%-(.+)$")
        if not (kind and PREFIX[kind]) then
          return nil
        end
        if #out > 0 then
          out[#out + 1] = pandoc.Str("、")
        end
        out[#out + 1] = pandoc.Str(ref_text(numbers, kind, name))
      end
      return out
    end,
  }
end

local function caption_inlines(prefix, text)
  local inl = {}
  if prefix then
    inl[#inl + 1] = pandoc.Str(prefix)
    if text and text ~= "" then
      inl[#inl + 1] = pandoc.Space()
    end
  end
  if text and text ~= "" then
    for _, b in ipairs(read_as(text, "markdown")) do
      if b.content then
        for _, i in ipairs(b.content) do
          inl[#inl + 1] = i
        end
      end
    end
  end
  return inl
end

local function label_outputs(blocks, opts, numbers)
  local label = opts.label
  local kind = label and label:match("^(%a+)%-")
  local prefix = label and numbers[label]
  local done = false
  local out = {}
  for _, b in ipairs(blocks) do
    if b.t == "Table" and not done and kind ~= "fig" then
      local text = opts["tbl-cap"]
      if text == nil then
        text = pandoc.utils.stringify(b.caption.long)
      end
      if prefix and own_number("tbl", text) == prefix then
        prefix = nil -- the caption already starts with its number
      end
      if prefix or opts["tbl-cap"] then
        b.caption.long = { pandoc.Plain(caption_inlines(prefix, text)) }
      end
      if label then
        b.attr.identifier = label
      end
      done = true
      out[#out + 1] = b
    elseif b.t == "Para" and #b.content == 1 and b.content[1].t == "Image" and not done
        and kind ~= "tbl" then
      local img = b.content[1]
      local fig_prefix = prefix
      if prefix and own_number("fig", opts["fig-cap"]) == prefix then
        fig_prefix = nil
      end
      local cap = caption_inlines(fig_prefix, opts["fig-cap"])
      img.caption = { pandoc.Str(pandoc.utils.stringify(cap)) } -- the alt text
      done = true
      out[#out + 1] = pandoc.Figure(pandoc.Plain({ img }),
        { pandoc.Plain(cap) }, pandoc.Attr(label or ""))
    else
      out[#out + 1] = b
    end
  end
  return out
end

local function code_cell(cell, numbers)
  local source = cell.content[1]
  local opts, code = {}, ""
  if source and source.t == "CodeBlock" then
    opts, code = cell_options(source.text)
  end
  local out = {}
  if truthy(opts.echo) and trim(code) ~= "" then
    out[#out + 1] = pandoc.CodeBlock(code, pandoc.Attr("", { "python" }))
  end
  if falsy(opts.output) then
    return out
  end
  local rich, streams = {}, {}
  for i = 2, #cell.content do
    local div = cell.content[i]
    if div.t == "Div" and has_class(div, "output") then
      local blocks, kind = output_blocks(div)
      local target = kind == "stream" and streams or rich
      for _, b in ipairs(blocks) do
        target[#target + 1] = b
      end
    end
  end
  if #rich == 0 then
    rich = streams
  end
  for _, b in ipairs(label_outputs(rich, opts, numbers)) do
    out[#out + 1] = b
  end
  return out
end

local function min_heading(blocks)
  local level = 99
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level < level then
      level = b.level
    end
  end
  return level
end

-- A cell tagged internal-only (cell tags or `#| tags:`) stays marked for the editions hook.
local function internal_only(cell)
  local tags = cell.attributes.tags or ""
  local source = cell.content[1]
  if has_class(cell, "code") and source and source.t == "CodeBlock" then
    tags = tags .. " " .. (cell_options(source.text).tags or "")
  end
  return tags:find("internal%-only") ~= nil
end

function Pandoc(doc)
  local numbers = collect_labels(doc.blocks)
  local body = {}
  for _, cell in ipairs(doc.blocks) do
    local blocks = {}
    if cell.t == "Div" and has_class(cell, "code") then
      blocks = code_cell(cell, numbers)
    elseif cell.t == "Div" and has_class(cell, "markdown") then
      blocks = cell.content:walk(neutralise)
    end
    -- raw cells (the front matter, read in Python) are dropped
    if #blocks > 0 and cell.t == "Div" and internal_only(cell) then
      blocks = { pandoc.Div(blocks, pandoc.Attr("", { "internal-only" })) }
    end
    for _, b in ipairs(blocks) do
      body[#body + 1] = b
    end
  end
  body = pandoc.Blocks(body):walk(xref_filter(numbers)):walk({ Table = align_table })
  local shift = min_heading(body) - 1
  if shift > 0 and shift < 98 then
    body = body:walk({
      Header = function(h)
        h.level = h.level - shift
        return h
      end,
    })
  end
  return pandoc.Pandoc(body, pandoc.Meta({}))
end
