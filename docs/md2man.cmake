# Converts one page of the operator's manual (docs/NAME.md) into a man page with go-md2man:
#   cmake -DGO_MD2MAN=... -DINPUT=docs/superd.md -DOUTPUT=superd.8 -DVERSION=0.1.0 -P md2man.cmake
#
# A page starts with "# NAME(8) — description". go-md2man wants a title block instead
# ("% NAME 8 date source manual") and the page needs a NAME section in the form mandb and
# whatis read ("name - description"), so this script rewrites the first line as
#
#   % NAME 8 "DATE" "superd VERSION" "superd Manual"
#   # NAME
#   name - description
#   # DESCRIPTION
#
# and keeps the rest: "## X" headings become the man page's sections (.SH, in capitals as man
# pages have them), "### X" its subsections (.SS). The date is the page's own modification
# date, or SOURCE_DATE_EPOCH's when that is set, so a rebuild gives the same page.
foreach(var GO_MD2MAN INPUT OUTPUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "md2man.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" text)
string(REGEX MATCH "^# ([a-z0-9-]+)\\(([0-9])\\) — ([^\n]*)\n" title "${text}")
if(NOT title)
  message(FATAL_ERROR "${INPUT}:1: expected '# NAME(SECTION) — description' as the first line")
endif()
set(name "${CMAKE_MATCH_1}")
set(section "${CMAKE_MATCH_2}")
set(description "${CMAKE_MATCH_3}")
string(LENGTH "${title}" title_length)
string(SUBSTRING "${text}" ${title_length} -1 body)

if(DEFINED ENV{SOURCE_DATE_EPOCH})
  string(TIMESTAMP date "%Y-%m-%d" UTC)
else()
  file(TIMESTAMP "${INPUT}" date "%Y-%m-%d" UTC)
endif()

# CMake lists are how a text is cut into lines here; a list element keeps ';' inside square
# brackets, so the brackets are stood in for while the lines are handled.
set(lsqb "@SUPERDLSQB@")
set(rsqb "@SUPERDRSQB@")

# Level-2 headings in capitals, outside code blocks; those holding code (`...`) stay as written.
string(REPLACE "[" "${lsqb}" body "${body}")
string(REPLACE "]" "${rsqb}" body "${body}")
string(REPLACE ";" "\\;" body "${body}")
string(REPLACE "\n" ";" lines "${body}")
set(out "")
set(in_code FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^```")
    if(in_code)
      set(in_code FALSE)
    else()
      set(in_code TRUE)
    endif()
  elseif(NOT in_code AND line MATCHES "^## [^`]*$")
    string(TOUPPER "${line}" line)
  elseif(in_code)
    # Tabs as spaces to the next multiple of 8: roff's tab stops are not a terminal's.
    string(FIND "${line}" "\t" tab)
    while(tab GREATER_EQUAL 0)
      math(EXPR pad "8 - ${tab} % 8")
      string(SUBSTRING "${line}" 0 ${tab} head)
      math(EXPR rest "${tab} + 1")
      string(SUBSTRING "${line}" ${rest} -1 tail)
      string(REPEAT " " ${pad} spaces)
      set(line "${head}${spaces}${tail}")
      string(FIND "${line}" "\t" tab)
    endwhile()
  endif()
  string(APPEND out "${line}\n")
endforeach()
string(REPLACE "${lsqb}" "[" out "${out}")
string(REPLACE "${rsqb}" "]" out "${out}")
string(TOUPPER "${name}" upper_name)

set(page "% ${upper_name} ${section} \"${date}\" \"superd ${VERSION}\" \"superd Manual\"\n\n")
string(APPEND page "# NAME\n\n${name} - ${description}\n\n# DESCRIPTION\n${out}")
set(work "${OUTPUT}.md")
file(WRITE "${work}" "${page}")
execute_process(COMMAND "${GO_MD2MAN}" -in "${work}" -out "${OUTPUT}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "go-md2man failed on ${INPUT} (${status})")
endif()
file(REMOVE "${work}")

# go-md2man's tables (tbl) have columns as wide as their longest cell: only cells with more
# than 30 characters of plain text become text blocks (T{ ... T}) that can wrap, so a table of
# long cells is wider than the terminal and groff warns. Here every column gets tbl's "x" (the
# table takes the line's width), every cell becomes a text block, and a text block may break
# after "/", ":", "_", "=", "." and "-" (paths, addresses, long directive names), so tables fit
# the page and wrap inside it. The page is set ragged-right (.ad l): justified narrow cells
# cannot be adjusted either.
function(text_block cell out)
  string(REPLACE ":" ":\\:" cell "${cell}")
  string(REPLACE "/" "/\\:" cell "${cell}")
  string(REPLACE ":\\::" "::" cell "${cell}")
  string(REPLACE "_" "_\\:" cell "${cell}")
  string(REPLACE "=" "=\\:" cell "${cell}")
  string(REPLACE "." ".\\:" cell "${cell}")
  string(REPLACE "-" "-\\:" cell "${cell}")
  # A table cell's "\|" is Markdown's escaped "|", which go-md2man leaves as a backslash.
  string(REPLACE "\\\\|" "|\\:" cell "${cell}")
  # A word of more than 10 letters may break after its 10th (a 5-column table has narrow cells).
  string(REPEAT "[A-Za-z]" 10 long)
  string(REGEX REPLACE "(${long})([A-Za-z])" "\\1\\\\:\\2" cell "${cell}")
  set(${out} "${cell}" PARENT_SCOPE)
endfunction()

# One line of a table row: cells separated by tabs, perhaps after the "T}" that ends the text
# block of the previous cell; a trailing "T{" opens the text block of the next one.
function(row_line line out state_out)
  set(head "")
  if(line MATCHES "^T}")
    set(head "T}")
    string(SUBSTRING "${line}" 2 -1 line)
  endif()
  string(REPLACE ";" "\\;" line "${line}")
  string(REPLACE "\t" ";" cells "${line}")
  set(rebuilt "${head}")
  set(state body)
  set(index 0)
  foreach(cell IN LISTS cells)
    if(index GREATER 0)
      string(APPEND rebuilt "\t")
    endif()
    if(cell STREQUAL "T{")
      set(state block)
      string(APPEND rebuilt "T{")
    elseif(NOT cell STREQUAL "")
      text_block("${cell}" cell)
      string(APPEND rebuilt "T{\n${cell}\nT}")
    endif()
    math(EXPR index "${index} + 1")
  endforeach()
  set(${out} "${rebuilt}" PARENT_SCOPE)
  set(${state_out} ${state} PARENT_SCOPE)
endfunction()

file(READ "${OUTPUT}" roff)
# go-md2man ends a text block with "T}" alone on its line and puts the row's next cell on the
# line after, after a tab: tbl takes that for a new row. The row goes on after "T}" instead.
string(REPLACE "\nT}\n\t" "\nT}\t" roff "${roff}")
string(REPLACE "[" "${lsqb}" roff "${roff}")
string(REPLACE "]" "${rsqb}" roff "${roff}")
string(REPLACE ";" "\\;" roff "${roff}")
string(REPLACE "\n" ";" roff_lines "${roff}")
set(fixed "")
set(state outside) # outside, code, format, body, block
foreach(line IN LISTS roff_lines)
  if(state STREQUAL "outside")
    if(line STREQUAL ".TS")
      set(state format)
    elseif(line MATCHES "^\\.TH ")
      string(APPEND line "\n.ad l")
    elseif(line STREQUAL ".nf")
      set(state code)
    elseif(NOT line MATCHES "^\\.")
      # Text may break after a comma that a blank does not follow (JSON in a paragraph).
      string(REGEX REPLACE ",([^ ])" ",\\\\:\\1" line "${line}")
    endif()
  elseif(state STREQUAL "code")
    if(line STREQUAL ".fi")
      set(state outside)
    endif()
  elseif(state STREQUAL "format")
    if(line MATCHES "^(l )*l ?( \\.)?$")
      string(REGEX REPLACE " $" "" line "${line}")
      string(REGEX REPLACE "(^| )l" "\\1lx" line "${line}")
      if(line MATCHES "\\.$")
        set(state body)
      endif()
    endif()
  elseif(state STREQUAL "block")
    if(line MATCHES "^T}")
      row_line("${line}" line state)
    elseif(NOT line MATCHES "^\\.")
      text_block("${line}" line)
    endif()
  elseif(line STREQUAL ".TE")
    set(state outside)
  else()
    row_line("${line}" line state)
  endif()
  string(APPEND fixed "${line}\n")
endforeach()
string(REPLACE "${lsqb}" "[" fixed "${fixed}")
string(REPLACE "${rsqb}" "]" fixed "${fixed}")
file(WRITE "${OUTPUT}" "${fixed}")
