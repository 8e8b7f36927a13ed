using OrleansKb.Atoms;

namespace OrleansKb.Workloads;

/// <summary>
/// Deterministic facts shaped like royal92.metta's (aunt-kg genealogy converted from GEDCOM): per
/// person an id, a name, a sex, birth and death dates and places in royal92's nesting, and family
/// links, with the same symbols and depths. For benchmarks of any size without shipping data.
/// </summary>
public static class Royal92ShapedFacts
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Places = ["Windsor,Castle,Berkshire,England", "Kensington,Palace,London,England", "Frogmore,,,England", "Potsdam,,,Germany", "Copenhagen,,,Denmark"];
    private static readonly string[] Titles = ["Prince", "Princess", "Duke", "Duchess", "King", "Queen"];

    /// <summary><paramref name="count"/> distinct facts; the same count and seed always give the same facts.</summary>
    public static Atom[] Generate(int count, int seed = 92)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var facts = new List<Atom>(count + 20);
        for (var person = 1; facts.Count < count; person++)
        {
            AddPerson(facts, random, person);
        }

        return [.. facts.Take(count)];
    }

    private static void AddPerson(List<Atom> facts, Random random, int person)
    {
        var individuals = Atom.Symbol("Individuals");
        var id = Atom.Integer(person);
        void Fact(Atom property) => facts.Add(Atom.Expression(individuals, id, property));
        static Atom E(string head, params Atom[] rest) => Atom.Expression([Atom.Symbol(head), .. rest]);

        Fact(E("Id", Atom.String($"@I{person + 1}@")));
        Fact(E("Fullname", Atom.String($"Person {random.Next(100_000)} of House {random.Next(500)}//")));
        if (random.Next(4) == 0)
        {
            Fact(E("Title", Atom.String(Titles[random.Next(Titles.Length)])));
        }

        Fact(E("Sex", Atom.String(random.Next(2) == 0 ? "M" : "F")));
        foreach (var eventName in new[] { "Birth", "Death" })
        {
            var year = 1500 + random.Next(500);
            Fact(E(eventName, E("Date", E("Original", Atom.String($"{1 + random.Next(28)} {Months[random.Next(12)]} {year}")))));
            Fact(E(eventName, E("Date", E("HasYear", Atom.Boolean(true)))));
            Fact(E(eventName, E("Date", E("HasMonth", Atom.Boolean(true)))));
            Fact(E(eventName, E("Date", E("HasDay", Atom.Boolean(random.Next(5) != 0)))));
            Fact(E(eventName, E("Date", E("Value", Atom.String($"{year}-{1 + random.Next(12):D2}-{1 + random.Next(28):D2}T00:00:00.000Z")))));
            Fact(E(eventName, E("Place", Atom.String(Places[random.Next(Places.Length)]))));
        }

        for (var relation = 0; relation < 1 + random.Next(2); relation++)
        {
            Fact(E("Relations", Atom.Integer(relation), Atom.String($"@F{random.Next(person + 1)}@")));
        }
    }
}
