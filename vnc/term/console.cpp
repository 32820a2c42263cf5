#include "vnc/term/console.hpp"

#include "vnc/term/cell_painter.hpp"
#include "vnc/term/damage.hpp"
#include "vnc/term/utf8.hpp"

#include <vterm.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace superd::vnc {

namespace {

constexpr std::uint32_t vga_palette[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};
constexpr std::size_t max_title = 256;
constexpr std::uint32_t wide_continuation = 0xffffffff; // libvterm's mark behind a wide char

VTermColor vterm_rgb(std::uint32_t rgb) {
    VTermColor c;
    vterm_color_rgb(&c, static_cast<std::uint8_t>(rgb >> 16), static_cast<std::uint8_t>(rgb >> 8),
                    static_cast<std::uint8_t>(rgb));
    return c;
}

std::uint32_t rgb_of(const VTermScreen* screen, VTermColor c) {
    vterm_screen_convert_color_to_rgb(screen, &c);
    return (std::uint32_t{c.rgb.red} << 16) | (std::uint32_t{c.rgb.green} << 8) | c.rgb.blue;
}

int clamp_cells(int cells, int max_cells, int cell_pixels) {
    return std::clamp(cells, 1, std::min(max_cells, Console::max_pixels / cell_pixels));
}

struct CursorState {
    int row = -1, col = -1;
    bool visible = false;
    int shape = VTERM_PROP_CURSORSHAPE_BLOCK;

    bool operator==(const CursorState&) const = default;
};

} // namespace

struct Console::Impl {
    Impl(int cols, int rows, const Font& f);
    ~Impl() { vterm_free(vt); }
    Impl(const Impl&) = delete; // libvterm's callbacks point here
    Impl& operator=(const Impl&) = delete;

    // libvterm's callbacks; `user` is the Impl.
    static void on_output(const char* bytes, std::size_t len, void* user);
    static int on_damage(VTermRect rect, void* user);
    static int on_moverect(VTermRect dest, VTermRect src, void* user);
    static int on_movecursor(VTermPos pos, VTermPos oldpos, int visible, void* user);
    static int on_settermprop(VTermProp prop, VTermValue* val, void* user);
    static int on_bell(void* user);
    static const VTermScreenCallbacks screen_callbacks;

    void allocate_framebuffer();
    void mark_overlays(const CursorState& cursor);
    CursorState cursor_now() const;
    void apply_scroll(const CellScroll& scroll, Update& update);
    void render_cell(int row, int col);
    void mark_wide_partners();
    std::size_t cell_index(int row, int col) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(cols) +
               static_cast<std::size_t>(col);
    }
    // What libvterm answers to `press` (a keyboard call), without queueing it for the pty.
    template <typename Press> std::string probe(Press press) const;

    const Font* font;
    VTerm* vt;
    VTermState* state;
    VTermScreen* screen;
    int cols, rows;
    Framebuffer fb;
    Damage damage;
    std::string output;                     // for the pty
    mutable std::string* probing = nullptr; // while set, libvterm's output goes here instead
    VTermPos cursor{0, 0};
    bool cursor_visible = true;
    int cursor_shape = VTERM_PROP_CURSORSHAPE_BLOCK;
    bool alternate = false;
    std::string title;
    bool bell = false;
    CursorState drawn; // the cursor as the framebuffer shows it
    // Per cell, as the framebuffer shows it: -1 narrow, 0 / 1 left / right half of a wide one.
    std::vector<std::int8_t> drawn_half;
    bool scrolled = false; // a copy moved pixels since the last take_damage()
    bool banner_on = false;
    std::u32string banner;
};

const VTermScreenCallbacks Console::Impl::screen_callbacks = {
    .damage = &Console::Impl::on_damage,
    .moverect = &Console::Impl::on_moverect,
    .movecursor = &Console::Impl::on_movecursor,
    .settermprop = &Console::Impl::on_settermprop,
    .bell = &Console::Impl::on_bell,
    .resize = nullptr,
    .sb_pushline = nullptr,
    .sb_popline = nullptr,
};

Console::Impl::Impl(int c, int r, const Font& f)
    : font(&f)
    , cols(clamp_cells(c, max_cols, f.width()))
    , rows(clamp_cells(r, max_rows, f.height()))
    , damage(cols, rows) {
    vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    state = vterm_obtain_state(vt);
    screen = vterm_obtain_screen(vt);
    vterm_output_set_callback(vt, &Impl::on_output, this);
    // Cell damage, merged by Damage: libvterm's own merging (ROW, SCREEN, SCROLL) grows one
    // bounding rect, so two changes at opposite corners would repaint the whole screen.
    vterm_screen_set_damage_merge(screen, VTERM_DAMAGE_CELL);
    vterm_screen_enable_altscreen(screen, 1);
    vterm_screen_set_callbacks(screen, &screen_callbacks, this);
    for (int i = 0; i < 16; ++i) {
        VTermColor c = vterm_rgb(vga_palette[i]);
        vterm_state_set_palette_color(state, i, &c);
    }
    VTermColor fg = vterm_rgb(default_fg), bg = vterm_rgb(default_bg);
    vterm_state_set_default_colors(state, &fg, &bg);
    vterm_state_set_bold_highbright(state, 1);
    vterm_screen_reset(screen, 1);
    allocate_framebuffer();
}

void Console::Impl::allocate_framebuffer() {
    fb.width = cols * font->width();
    fb.height = rows * font->height();
    fb.pixels.assign(static_cast<std::size_t>(fb.width) * static_cast<std::size_t>(fb.height),
                     default_bg);
    damage.reset(cols, rows);
    drawn_half.assign(static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows), -1);
    scrolled = false;
    drawn = CursorState{};
}

void Console::Impl::on_output(const char* bytes, std::size_t len, void* user) {
    auto* self = static_cast<Impl*>(user);
    std::string& out = self->probing ? *self->probing : self->output;
    out.append(bytes, std::min(len, max_pending_output - std::min(out.size(), max_pending_output)));
}

int Console::Impl::on_damage(VTermRect r, void* user) {
    static_cast<Impl*>(user)->damage.mark(CellRect{r.start_row, r.end_row, r.start_col, r.end_col});
    return 1;
}

int Console::Impl::on_moverect(VTermRect dest, VTermRect src, void* user) {
    auto* self = static_cast<Impl*>(user);
    // Only full-width rows moving up or down become copies; returning 0 makes libvterm report
    // the destination as damage instead. Cells shifted sideways within a line (insert/delete
    // character) are cheaper to repaint, and a scroll between left/right margins (DECSLRM)
    // could split a double-width character from its other half.
    if (src.start_col != 0 || dest.start_col != 0 || src.end_col != self->cols ||
        dest.end_col != self->cols || src.start_row == dest.start_row ||
        std::min(src.start_row, dest.start_row) < 0 ||
        std::max(src.end_row, dest.end_row) > self->rows)
        return 0;
    // The cursor and the banner are drawn over the cells; the copy carries them along, so the
    // cells they were drawn on are repainted wherever they end up.
    self->mark_overlays(self->drawn);
    CellRect region{std::min(dest.start_row, src.start_row), std::max(dest.end_row, src.end_row), 0,
                    self->cols};
    int down = src.start_row - dest.start_row;
    self->damage.scroll(region, down);
    // Rows of drawn_half move as the pixels will (the rows left behind keep theirs).
    auto row_at = [self](int row) {
        return self->drawn_half.begin() + static_cast<std::ptrdiff_t>(self->cell_index(row, 0));
    };
    if (down > 0)
        std::copy(row_at(src.start_row), row_at(src.end_row), row_at(dest.start_row));
    else
        std::copy_backward(row_at(src.start_row), row_at(src.end_row), row_at(dest.end_row));
    self->scrolled = true;
    return 1;
}

int Console::Impl::on_movecursor(VTermPos pos, VTermPos, int, void* user) {
    static_cast<Impl*>(user)->cursor = pos;
    return 1;
}

int Console::Impl::on_settermprop(VTermProp prop, VTermValue* val, void* user) {
    auto* self = static_cast<Impl*>(user);
    switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
        self->cursor_visible = val->boolean != 0;
        break;
    case VTERM_PROP_CURSORSHAPE:
        self->cursor_shape = val->number;
        break;
    case VTERM_PROP_ALTSCREEN:
        self->alternate = val->boolean != 0;
        break;
    case VTERM_PROP_TITLE:
        self->title.assign(val->string ? val->string : "");
        if (self->title.size() > max_title) self->title.resize(max_title);
        break;
    default:
        break;
    }
    return 1;
}

int Console::Impl::on_bell(void* user) {
    static_cast<Impl*>(user)->bell = true;
    return 1;
}

CursorState Console::Impl::cursor_now() const {
    CursorState now;
    now.row = std::clamp(cursor.row, 0, rows - 1);
    now.col = std::clamp(cursor.col, 0, cols - 1);
    now.visible = cursor_visible && !banner_on;
    now.shape = cursor_shape;
    return now;
}

void Console::Impl::mark_overlays(const CursorState& c) {
    if (c.visible) damage.mark(CellRect{c.row, c.row + 1, c.col, c.col + 1});
    if (banner_on) damage.mark(CellRect{rows - 1, rows, 0, cols});
}

void Console::Impl::apply_scroll(const CellScroll& scroll, Update& update) {
    int cw = font->width(), ch = font->height();
    CellRect dst = scroll.destination();
    CopyOp op{
        Rect{dst.left * cw, dst.top * ch, (dst.right - dst.left) * cw, (dst.bottom - dst.top) * ch},
        dst.left * cw, scroll.source_top() * ch};
    // Rows in the order that reads each source row before it is overwritten.
    for (int i = 0; i < op.dst.h; ++i) {
        int y = scroll.down > 0 ? i : op.dst.h - 1 - i;
        std::uint32_t* base = fb.pixels.data();
        std::memmove(base + static_cast<std::size_t>(op.dst.y + y) * fb.width + op.dst.x,
                     base + static_cast<std::size_t>(op.src_y + y) * fb.width + op.src_x,
                     static_cast<std::size_t>(op.dst.w) * sizeof(std::uint32_t));
    }
    update.copies.push_back(op);
}

void Console::Impl::render_cell(int row, int col) {
    int x0 = col * font->width(), y0 = row * font->height();
    CellLook look;
    drawn_half[cell_index(row, col)] = -1;
    if (banner_on && row == rows - 1) {
        char32_t cp = static_cast<std::size_t>(col) < banner.size() ? banner[col] : U' ';
        look.glyph = font->glyph_for(cp);
        look.fg = default_bg;
        look.bg = default_fg;
        paint_cell(fb, *font, x0, y0, look);
        return;
    }
    VTermScreenCell cell;
    vterm_screen_get_cell(screen, VTermPos{row, col}, &cell);
    if (cell.chars[0] == wide_continuation && col > 0) {
        // The right half of a double-width character: drawn from the cell that holds it.
        vterm_screen_get_cell(screen, VTermPos{row, col - 1}, &cell);
        look.wide_half = 1;
    } else if (cell.width == 2) {
        look.wide_half = 0;
    }
    drawn_half[cell_index(row, col)] = static_cast<std::int8_t>(look.wide_half);
    char32_t cp = cell.chars[0] == 0 || cell.chars[0] == wide_continuation ? U' ' : cell.chars[0];
    look.glyph = font->glyph_for(cp);
    look.fg = rgb_of(screen, cell.fg);
    look.bg = rgb_of(screen, cell.bg);
    if (cell.attrs.bold) {
        // libvterm already made bold ANSI colours 0-7 bright (bold_highbright); bold in the
        // default colour is bright white, as on the Linux console; other colours get a
        // thicker glyph.
        if (VTERM_COLOR_IS_DEFAULT_FG(&cell.fg))
            look.fg = vga_palette[15];
        else if (!VTERM_COLOR_IS_INDEXED(&cell.fg) || cell.fg.indexed.idx >= 16)
            look.embolden = true;
    }
    look.underline = cell.attrs.underline == VTERM_UNDERLINE_DOUBLE ? 2
                     : cell.attrs.underline                         ? 1
                                                                    : 0;
    look.strike = cell.attrs.strike;
    if (cell.attrs.reverse) std::swap(look.fg, look.bg);
    if (drawn.visible && drawn.row == row && drawn.col == col) {
        if (drawn.shape == VTERM_PROP_CURSORSHAPE_UNDERLINE)
            look.cursor = CursorMark::underline;
        else if (drawn.shape == VTERM_PROP_CURSORSHAPE_BAR_LEFT)
            look.cursor = CursorMark::bar;
        else
            std::swap(look.fg, look.bg);
    }
    paint_cell(fb, *font, x0, y0, look);
}

// A double-width character is drawn across two cells, so each half's pixels depend on the
// other cell: when one of a pair changes, the other is repainted too. "A pair" is one now or
// one as last drawn: libvterm leaves half-pairs behind (a narrow character written over
// either half keeps the other half's mark), so pairs come and go without the partner changing.
void Console::Impl::mark_wide_partners() {
    VTermScreenCell cell;
    for (int row = 0; row < rows; ++row) {
        for (int col = 0; col < cols; ++col) {
            if (!damage.dirty(row, col)) continue;
            vterm_screen_get_cell(screen, VTermPos{row, col}, &cell);
            std::size_t at = cell_index(row, col);
            bool paired_left = cell.chars[0] == wide_continuation || drawn_half[at] == 1 ||
                               (col > 0 && drawn_half[at - 1] == 0);
            bool paired_right = cell.width == 2 || drawn_half[at] == 0 ||
                                (col + 1 < cols && drawn_half[at + 1] == 1);
            if (paired_left && col > 0) damage.mark(CellRect{row, row + 1, col - 1, col});
            if (paired_right && col + 1 < cols)
                damage.mark(CellRect{row, row + 1, col + 1, col + 2});
        }
    }
}

template <typename Press> std::string Console::Impl::probe(Press press) const {
    std::string answer;
    probing = &answer;
    press();
    probing = nullptr;
    return answer;
}

// Console

std::uint32_t Console::ansi_color(int index) {
    return vga_palette[index & 15];
}

Console::Console(int cols, int rows, const Font& font)
    : impl_(std::make_unique<Impl>(cols, rows, font)) {}
Console::~Console() = default;
Console::Console(Console&&) noexcept = default;
Console& Console::operator=(Console&&) noexcept = default;

void Console::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        std::size_t used = vterm_input_write(impl_->vt, bytes.data(), bytes.size());
        if (used == 0) break;
        bytes.remove_prefix(used);
    }
}

std::string Console::take_output() {
    return std::exchange(impl_->output, std::string{});
}

Update Console::take_damage() {
    Impl& s = *impl_;
    CursorState now = s.cursor_now();
    if (s.scrolled) {
        s.mark_overlays(now); // the old ones were marked before each copy
    } else if (now != s.drawn) {
        s.mark_overlays(s.drawn);
        s.mark_overlays(now);
    }
    s.scrolled = false;
    s.drawn = now;
    s.mark_wide_partners();
    CellUpdate cells = s.damage.take();
    Update update;
    for (const CellScroll& scroll : cells.scrolls)
        s.apply_scroll(scroll, update);
    int cw = s.font->width(), ch = s.font->height();
    for (const CellRect& r : cells.rects) {
        for (int row = r.top; row < r.bottom; ++row)
            for (int col = r.left; col < r.right; ++col)
                s.render_cell(row, col);
        update.rects.push_back(
            Rect{r.left * cw, r.top * ch, (r.right - r.left) * cw, (r.bottom - r.top) * ch});
    }
    return update;
}

Update Console::full() const {
    return Update{{}, {Rect{0, 0, impl_->fb.width, impl_->fb.height}}};
}

const Framebuffer& Console::framebuffer() const {
    return impl_->fb;
}

void Console::resize(int cols, int rows) {
    Impl& s = *impl_;
    cols = clamp_cells(cols, max_cols, s.font->width());
    rows = clamp_cells(rows, max_rows, s.font->height());
    if (cols == s.cols && rows == s.rows) return;
    vterm_set_size(s.vt, rows, cols);
    s.cols = cols;
    s.rows = rows;
    s.allocate_framebuffer();
}

void Console::show_exit(std::string_view text) {
    Impl& s = *impl_;
    s.banner = utf8_to_codepoints(text);
    s.banner_on = true;
    s.damage.mark(CellRect{s.rows - 1, s.rows, 0, s.cols});
}

int Console::cols() const {
    return impl_->cols;
}
int Console::rows() const {
    return impl_->rows;
}
const Font& Console::font() const {
    return *impl_->font;
}

bool Console::application_cursor_keys() const {
    VTerm* vt = impl_->vt;
    return impl_->probe([vt] { vterm_keyboard_key(vt, VTERM_KEY_UP, VTERM_MOD_NONE); }) == "\x1bOA";
}

bool Console::application_keypad() const {
    VTerm* vt = impl_->vt;
    return impl_->probe([vt] { vterm_keyboard_key(vt, VTERM_KEY_KP_0, VTERM_MOD_NONE); }) != "0";
}

std::string Console::bracket_paste(std::string_view text) const {
    VTerm* vt = impl_->vt;
    std::string start = impl_->probe([vt] { vterm_keyboard_start_paste(vt); });
    if (start.empty()) return std::string(text);
    return start + std::string(text) + impl_->probe([vt] { vterm_keyboard_end_paste(vt); });
}

bool Console::cursor_visible() const {
    return impl_->cursor_visible;
}
bool Console::alternate_screen() const {
    return impl_->alternate;
}
const std::string& Console::title() const {
    return impl_->title;
}
bool Console::take_bell() {
    return std::exchange(impl_->bell, false);
}

std::string Console::row_text(int row) const {
    if (row < 0 || row >= impl_->rows) return {};
    VTermRect rect{row, row + 1, 0, impl_->cols};
    std::string text(static_cast<std::size_t>(impl_->cols) * 4 * VTERM_MAX_CHARS_PER_CELL, '\0');
    text.resize(vterm_screen_get_text(impl_->screen, text.data(), text.size(), rect));
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

} // namespace superd::vnc
