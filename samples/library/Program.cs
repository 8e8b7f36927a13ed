// The program of docs/library.md: connects to a running cluster, loads a file into a space, prints
// the first matches of a query, and exports the space to a file.
// Usage: orleanskb-library-sample GATEWAY METTA-FILE EXPORT-FILE
using OrleansKb.Client;
using OrleansKb.Text;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: orleanskb-library-sample GATEWAY METTA-FILE EXPORT-FILE");
    return 2;
}

var (gateway, file, exportFile) = (args[0], args[1], args[2]);

await using var cluster = await KbCluster.ConnectAsync(gateway);
var space = cluster.Space("library-sample");

// The file is checked whole before anything is sent: a syntax error adds nothing.
var loaded = await space.LoadAsync(LoadSource.File(file));
Console.WriteLine($"loaded {loaded.AtomsRead} atoms, {loaded.AtomsAdded} new; the space holds {loaded.SpaceCount}");

// Who is whose mother: the pattern is a conjunction, the template says what each solution makes.
var pattern = MettaReader.Parse("(, (parent $m $x) (female $m))")[0];
var template = MettaReader.Parse("(mother $m $x)")[0];
await foreach (var mother in space.MatchAsync(pattern, template, limit: 5))
{
    Console.WriteLine(MettaPrinter.Print(mother));
}

Console.WriteLine($"{await space.MatchCountAsync(pattern)} solutions in all");

// Every atom of the space, as .metta text, a page at a time.
await using (var export = new StreamWriter(exportFile))
{
    await foreach (var atom in space.ExportAsync())
    {
        await export.WriteLineAsync(MettaPrinter.Print(atom));
    }
}

Console.WriteLine($"exported {await space.CountAsync()} atoms to {exportFile}");
return 0;
