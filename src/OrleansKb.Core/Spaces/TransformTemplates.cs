using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// What a transform (docs/transform.md) does with each solution of its pattern: the templates it
/// adds and those it removes, from <c>TEMPLATE</c> — an atom or <c>(, t1 … tm)</c>, each <c>(- t)</c>
/// removing <c>t</c> — and whether they could change what the pattern matches in the same space
/// (then a round's changes wait until its match has ended, so it sees the space as it was).
/// </summary>
public sealed class TransformTemplates
{
    private TransformTemplates(bool conjunction, Atom[] conjuncts, Atom[] adds, Atom[] removes, bool mayMatchPattern)
    {
        (IsConjunction, Conjuncts, Adds, Removes, MayMatchPattern) = (conjunction, conjuncts, adds, removes, mayMatchPattern);
        Fed = [.. Enumerable.Range(0, conjuncts.Length).Where(i => adds.Any(t => MayUnify(t, conjuncts[i])))];
        Combined = Atom.Expression([.. adds, .. removes]);
    }

    /// <summary>Whether the pattern is a conjunction <c>(, p1 … pn)</c>.</summary>
    public bool IsConjunction { get; }

    /// <summary>The pattern's conjuncts (the pattern alone if it is not a conjunction).</summary>
    public IReadOnlyList<Atom> Conjuncts { get; }

    /// <summary>The conjuncts (indexes) an added atom could match: those a round's additions feed in a fixpoint.</summary>
    public IReadOnlyList<int> Fed { get; }

    /// <summary>The templates whose instances are added.</summary>
    public IReadOnlyList<Atom> Adds { get; }

    /// <summary>The templates whose instances are removed.</summary>
    public IReadOnlyList<Atom> Removes { get; }

    /// <summary>One template for the match: the adds, then the removes, as one expression; each result is <see cref="Split"/> again.</summary>
    public Atom Combined { get; }

    /// <summary>Whether an atom added or removed could be one the pattern matches (by head and shape; variables match anything).</summary>
    public bool MayMatchPattern { get; }

    /// <summary>
    /// Reads <paramref name="template"/> for <paramref name="pattern"/> (an atom or a conjunction).
    /// Throws <see cref="ArgumentException"/> for a template with a variable the pattern does not bind
    /// (naming it), or with nothing to add or remove.
    /// </summary>
    public static TransformTemplates Parse(Atom pattern, Atom template)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(template);
        var conjuncts = Conjunct.IsConjunction(pattern) ? ((ExpressionAtom)pattern).Children[1..].ToArray() : [pattern];
        var templates = Conjunct.IsConjunction(template) ? ((ExpressionAtom)template).Children[1..].ToArray() : [template];
        if (conjuncts.Length == 0 || templates.Length == 0)
        {
            throw new ArgumentException("a transform needs a pattern and at least one template: (, t1 … tm)");
        }

        var bound = new HashSet<string>(Conjunct.VariablesOf(pattern), StringComparer.Ordinal);
        var (adds, removes) = (new List<Atom>(), new List<Atom>());
        foreach (var each in templates)
        {
            var removed = each is ExpressionAtom { Count: 2 } minus && minus[0] is SymbolAtom { Name: "-" };
            var atom = removed ? ((ExpressionAtom)each)[1] : each;
            if (Conjunct.VariablesOf(atom).FirstOrDefault(v => !bound.Contains(v)) is { } unbound)
            {
                throw new ArgumentException($"the template {atom} has the variable ${unbound}, which the pattern does not bind: every atom a transform adds or removes must be ground by a solution");
            }

            (removed ? removes : adds).Add(atom);
        }

        var mayMatch = templates.Length > 0 && adds.Concat(removes).Any(t => conjuncts.Any(c => MayUnify(t, c)));
        return new TransformTemplates(Conjunct.IsConjunction(pattern), conjuncts, [.. adds], [.. removes], mayMatch);
    }

    /// <summary>One result of the <see cref="Combined"/> template, split into the atoms it adds and those it removes.</summary>
    public void Split(Atom result, List<Atom> adds, List<Atom> removes)
    {
        ArgumentNullException.ThrowIfNull(adds);
        ArgumentNullException.ThrowIfNull(removes);
        var children = ((ExpressionAtom)result).Children;
        for (var i = 0; i < children.Length; i++)
        {
            (i < Adds.Count ? adds : removes).Add(children[i]);
        }
    }

    /// <summary>
    /// A page of encoded results of the <see cref="Combined"/> template (as a match writes them), each
    /// split into the atoms it adds, appended to <paramref name="adds"/>, and those it removes, to
    /// <paramref name="removes"/>, copied as the bytes they are; returns how many results.
    /// </summary>
    public int SplitEncoded(ReadOnlySpan<byte> results, EncodedAtomWriter adds, EncodedAtomWriter removes)
    {
        ArgumentNullException.ThrowIfNull(adds);
        ArgumentNullException.ThrowIfNull(removes);
        var count = 0;
        for (var at = 0; at < results.Length; count++)
        {
            var arity = EncodedItem.ReadArity(results, ref at);
            for (var i = 0; i < arity; i++)
            {
                var length = EncodedItem.Length(results[at..]);
                (i < Adds.Count ? adds : removes).AppendAtom(results.Slice(at, length));
                at += length;
            }
        }

        return count;
    }

    /// <summary>Whether the two atoms could unify, by shape alone: a variable matches anything (each occurrence on its own).</summary>
    private static bool MayUnify(Atom a, Atom b) => (a, b) switch
    {
        (VariableAtom, _) or (_, VariableAtom) => true,
        (ExpressionAtom x, ExpressionAtom y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => MayUnify(x[i], y[i])),
        _ => a.Equals(b),
    };
}
