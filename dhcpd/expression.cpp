// Evaluation follows ISC dhcpd 4.4's common/tree.c case by case, quirks included, so that a
// condition picks the same branch under both servers.
#include "dhcpd/expression.hpp"

#include "dhcpd/packet.hpp"

#include <algorithm>

namespace superd::dhcp {

namespace {

using Bytes = std::vector<std::uint8_t>;

class Evaluator {
  public:
    Evaluator(const Expression& e, const EvalContext& in)
        : nodes_(e.nodes)
        , in_(in) {}

    std::optional<bool> condition(std::uint32_t i) const {
        const ExprNode& n = nodes_[i];
        switch (n.kind) {
        case ExprKind::exists:
            // Never null: a missing option is simply false.
            return in_.request && in_.request->find(n.code) != nullptr;
        case ExprKind::known:
            if (!in_.request) return std::nullopt;
            return in_.known;
        case ExprKind::equal:
        case ExprKind::not_equal: {
            // Never null either: two nulls are equal, a null and a value are not (so `!=` with
            // a missing option is true).
            auto l = data(n.left);
            auto r = data(n.right);
            bool same = l && r ? *l == *r : !l && !r;
            return n.kind == ExprKind::equal ? same : !same;
        }
        case ExprKind::logical_and: {
            // ISC evaluates the right side only after a true left one, and is null otherwise:
            // `false and X` is null, so `not (false and X)` is not true.
            auto l = condition(n.left);
            if (!l || !*l) return std::nullopt;
            return condition(n.right);
        }
        case ExprKind::logical_or: {
            auto l = condition(n.left);
            if (l && *l) return true;
            auto r = condition(n.right);
            if (!l && !r) return std::nullopt;
            return l.value_or(false) || r.value_or(false);
        }
        case ExprKind::logical_not: {
            auto l = condition(n.left);
            if (!l) return std::nullopt;
            return !*l;
        }
        default:
            return std::nullopt; // data where a condition belongs: the parser never builds it
        }
    }

    std::optional<Bytes> data(std::uint32_t i) const {
        const ExprNode& n = nodes_[i];
        switch (n.kind) {
        case ExprKind::option: {
            const Bytes* value = in_.request ? in_.request->find(n.code) : nullptr;
            if (!value) return std::nullopt;
            return *value;
        }
        case ExprKind::constant:
            return n.bytes;
        case ExprKind::substring: {
            auto d = data(n.left);
            if (!d) return std::nullopt;
            // An offset past the end gives the empty string, not null.
            if (d->size() <= n.offset) return Bytes{};
            auto begin = d->begin() + n.offset;
            auto size = std::min<std::size_t>(n.length, d->size() - n.offset);
            return Bytes(begin, begin + static_cast<std::ptrdiff_t>(size));
        }
        case ExprKind::suffix: {
            auto d = data(n.left);
            if (!d) return std::nullopt;
            if (d->size() <= n.length) return d;
            return Bytes(d->end() - n.length, d->end());
        }
        case ExprKind::hardware: {
            if (!in_.request) return std::nullopt;
            const Packet& p = *in_.request;
            if (p.hlen > p.chaddr.size()) return std::nullopt;
            Bytes out{p.htype};
            out.insert(out.end(), p.chaddr.begin(), p.chaddr.begin() + p.hlen);
            return out;
        }
        default:
            return std::nullopt; // a condition where data belongs: the parser never builds it
        }
    }

  private:
    const std::vector<ExprNode>& nodes_;
    const EvalContext& in_;
};

} // namespace

bool is_condition(ExprKind kind) {
    switch (kind) {
    case ExprKind::exists:
    case ExprKind::known:
    case ExprKind::equal:
    case ExprKind::not_equal:
    case ExprKind::logical_and:
    case ExprKind::logical_or:
    case ExprKind::logical_not:
        return true;
    default:
        return false;
    }
}

std::optional<bool> evaluate(const Expression& e, const EvalContext& in) {
    if (e.nodes.empty()) return std::nullopt;
    auto root = static_cast<std::uint32_t>(e.nodes.size() - 1);
    if (!is_condition(e.nodes[root].kind)) return std::nullopt;
    return Evaluator(e, in).condition(root);
}

} // namespace superd::dhcp
