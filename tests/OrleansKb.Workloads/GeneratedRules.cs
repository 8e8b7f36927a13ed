using OrleansKb.Atoms;

namespace OrleansKb.Workloads;

/// <summary>
/// Deterministic distinct rules <c>(= (fK i $x …) (body …))</c> over 50 head symbols and arities 1 to 3,
/// with one wildcard rule <c>(= ($f i) …)</c> in every 100: the shapes the rule index files.
/// </summary>
public static class GeneratedRules
{
    public static Atom[] Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var equals = Atom.Symbol("=");
        var rules = new Atom[count];
        for (var i = 0; i < count; i++)
        {
            Atom x = Atom.Variable("x"), y = Atom.Variable("y");
            var lhs = (i % 100) switch
            {
                0 => Atom.Expression(Atom.Variable("f"), Atom.Integer(i)),
                _ => (i % 3) switch
                {
                    0 => Atom.Expression(Atom.Symbol($"f{i % 50}"), Atom.Integer(i)),
                    1 => Atom.Expression(Atom.Symbol($"f{i % 50}"), Atom.Integer(i), x),
                    _ => Atom.Expression(Atom.Symbol($"f{i % 50}"), Atom.Integer(i), x, Atom.Expression(Atom.Symbol("S"), y)),
                },
            };
            rules[i] = Atom.Expression(equals, lhs, Atom.Expression(Atom.Symbol("body"), x, y, Atom.String($"rule {i}")));
        }

        return rules;
    }
}
