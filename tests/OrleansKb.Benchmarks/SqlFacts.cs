using System.Data.Common;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Benchmarks;

/// <summary>Facts as rows of SQL tables, for the benchmarks that run beside SQLite and DuckDB.</summary>
internal static class SqlFacts
{
    /// <summary>
    /// Inserts each fact whose head names one of <paramref name="tables"/> as a row of that table, its
    /// arguments' MeTTa text as the columns (<c>$a</c>, <c>$b</c>), in one transaction; other facts are left out.
    /// </summary>
    public static void Insert(DbConnection database, IEnumerable<Atom> facts, params string[] tables)
    {
        using var transaction = database.BeginTransaction();
        foreach (var fact in facts.OfType<ExpressionAtom>())
        {
            if (fact[0] is not SymbolAtom head || !tables.Contains(head.Name))
            {
                continue;
            }

            using var insert = database.CreateCommand();
            insert.Transaction = transaction;
            var values = fact.Children[1..].ToArray().Select(MettaPrinter.Print).ToArray();
            insert.CommandText = $"INSERT INTO {head.Name} VALUES ({string.Join(", ", values.Select((_, i) => i == 0 ? "$a" : "$b"))})";
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = i == 0 ? "a" : "b";
                parameter.Value = values[i];
                insert.Parameters.Add(parameter);
            }

            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
