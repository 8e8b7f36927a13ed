using System.Text;
using OrleansKb.Cli;
using OrleansKb.Tests.Reference;

namespace OrleansKb.Tests;

/// <summary>The <c>orleanskb check</c> and <c>fmt</c> commands, run in-process with captured output.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("orleanskb-cli-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static (int Exit, string Out, string Err, byte[] Binary) Run(params string[] args) => RunWithInput([], args);

    private static (int Exit, string Out, string Err, byte[] Binary) RunWithInput(byte[] standardInput, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var binary = new MemoryStream();
        var exit = OrleansKbCommandLine.RunAsync(args, output, error, () => binary, () => new MemoryStream(standardInput)).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString(), binary.ToArray());
    }

    private string Scratch(string name, byte[] content)
    {
        var path = Path.Combine(_scratch, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static void AssertOneLineError((int Exit, string Out, string Err, byte[] Binary) result, string expected)
    {
        Assert.Equal(1, result.Exit);
        Assert.Equal(expected + Environment.NewLine, result.Err);
        Assert.Empty(result.Binary);
    }

    [Fact]
    public void Check_reports_the_atom_count_of_each_file()
    {
        var royal = TestData.PathOf("aunt-kg/royal92.metta");
        var toy = TestData.PathOf("aunt-kg/toy.metta");

        var result = Run("check", royal, toy);

        Assert.Equal(0, result.Exit);
        Assert.Equal($"{royal}: 53442 atoms{Environment.NewLine}{toy}: 13 atoms{Environment.NewLine}", result.Out);
        Assert.Empty(result.Err);
    }

    [Theory]
    [MemberData(nameof(TestData.MalformedFiles), MemberType = typeof(TestData))]
    public void Check_names_file_line_and_column_of_the_first_error(string file, int line)
    {
        var path = TestData.PathOf(file);

        var result = Run("check", TestData.PathOf("aunt-kg/toy.metta"), path);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith($"{path}:{line}:", result.Err, StringComparison.Ordinal);
        Assert.Single(result.Err.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Bad_input_files_give_one_line_errors()
    {
        var missing = Path.Combine(_scratch, "missing.metta");
        var invalid = Scratch("invalid.metta", [(byte)'(', (byte)'a', (byte)' ', 0xC3, 0x28, (byte)')']);

        foreach (var command in new[] { "check", "fmt" })
        {
            AssertOneLineError(Run(command, missing), $"orleanskb: {missing}: no such file");
            AssertOneLineError(Run(command, invalid), $"{invalid}:1:4: invalid UTF-8");
            AssertOneLineError(Run(command, _scratch), $"orleanskb: {_scratch}: is a directory, not a file");
        }
    }

    [Fact]
    public void An_empty_file_and_a_file_of_comments_hold_no_atoms()
    {
        // As hyperon reads them: nothing to read is not an error.
        var empty = Scratch("empty.metta", []);
        var comments = Scratch("comments.metta", Encoding.UTF8.GetBytes("; nothing here\n\n   ; nor here\n"));

        var result = Run("check", empty, comments);

        Assert.Equal(0, result.Exit);
        Assert.Equal($"{empty}: 0 atoms{Environment.NewLine}{comments}: 0 atoms{Environment.NewLine}", result.Out);
        Assert.Equal((0, ""), (Run("fmt", empty).Exit, Encoding.UTF8.GetString(Run("fmt", empty).Binary)));
    }

    [Fact]
    public void A_dash_reads_standard_input()
    {
        var text = Encoding.UTF8.GetBytes("(parent Tom Bob)\n(age Bob +07) ; two atoms\n");

        Assert.Equal($"-: 2 atoms{Environment.NewLine}", RunWithInput(text, "check", "-").Out);
        Assert.Equal("(parent Tom Bob)\n(age Bob 7)\n", Encoding.UTF8.GetString(RunWithInput(text, "fmt", "-").Binary));
        var broken = RunWithInput(Encoding.UTF8.GetBytes("(a)\n(b"), "fmt", "-");
        Assert.Equal((1, 0), (broken.Exit, broken.Binary.Length));
        Assert.StartsWith("-:2:1: ", broken.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_atom_too_large_for_a_space_is_reported_by_check_at_its_line_and_column()
    {
        // 64 MiB of string in one atom, on line 3 after two small ones.
        var path = Path.Combine(_scratch, "huge.metta");
        using (var file = File.Create(path))
        {
            file.Write("(small 1)\n(small 2)\n  (huge \""u8);
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)'a');
            for (var i = 0; i < 64; i++)
            {
                file.Write(chunk);
            }

            file.Write("\")\n(small 3)\n"u8);
        }

        var result = Run("check", path);

        Assert.Equal(1, result.Exit);
        Assert.Equal($"{path}:3:3: this atom encodes to more than {64 << 20:N0} bytes, the limit for one atom{Environment.NewLine}", result.Err);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_connecting()
    {
        // Port 9 (discard) answers nothing: reaching for the cluster would take seconds and say so.
        string[] nowhere = ["--gateway", "localhost:9"];
        var missing = Path.Combine(_scratch, "missing.metta");

        AssertOneLineError(Run([.. nowhere, "load", missing]), $"orleanskb: {missing}: no such file");
        AssertOneLineError(Run([.. nowhere, "--space", "", "count"]), "orleanskb: --space: a space name must not be empty or only white space");
        AssertOneLineError(Run([.. nowhere, "--space", "a\u0007b", "count"]), "orleanskb: --space: a space name must not contain control characters");
        AssertOneLineError(Run([.. nowhere, "rules", "f", "-1"]), "orleanskb: ARITY must be a whole number from 0 to 2,147,483,647, not '-1' (orleanskb --help for usage)");
        AssertOneLineError(Run([.. nowhere, "match", "(p $x)", "$x", "--limit", "-2"]), "orleanskb: --limit must be a whole number from 0 to 9,223,372,036,854,775,807, not '-2' (orleanskb --help for usage)");
        AssertOneLineError(Run([.. nowhere, "match", "(p $x) (q $x)", "$x"]), "orleanskb: PATTERN must be exactly one atom, not 2");
    }

    [Fact]
    public void Usage_errors_exit_non_zero()
    {
        Assert.NotEqual(0, Run().Exit);
        Assert.NotEqual(0, Run("check").Exit);
        Assert.NotEqual(0, Run("frobnicate").Exit);
    }

    [Fact]
    public void An_option_that_does_not_parse_gives_one_line_not_the_help()
    {
        // It printed the whole help text after .NET's parse message.
        AssertOneLineError(
            Run("--gateway", "localhost:9", "match", "(p $x)", "$x", "--limit", "99999999999999999999"),
            "orleanskb: --limit must be a whole number from 0 to 9,223,372,036,854,775,807, not '99999999999999999999' (orleanskb --help for usage)");
        AssertOneLineError(Run("count", "--frobnicate"), "orleanskb: Unrecognized command or argument '--frobnicate' (orleanskb --help for usage)");
        AssertOneLineError(Run("rules", "f", "one"), "orleanskb: ARITY must be a whole number from 0 to 2,147,483,647, not 'one' (orleanskb --help for usage)");
        Assert.Empty(Run("count", "--frobnicate").Out);
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Fmt_prints_exactly_the_files_atoms_in_canonical_text(string file, int expectedAtoms)
    {
        var result = Run("fmt", TestData.PathOf(file));
        var text = Encoding.UTF8.GetString(result.Binary);

        Assert.Equal(0, result.Exit);
        Assert.Equal(expectedAtoms, text.Count(c => c == '\n'));
        Assert.Equal(ReferenceReader.ReadAll(TestData.ReadText(file)), ReferenceReader.ReadAll(text));

        // Canonical text is a fixed point.
        var again = Run("fmt", Scratch("canonical.metta", result.Binary));
        Assert.Equal(result.Binary, again.Binary);
    }

    [Theory]
    [MemberData(nameof(TestData.MalformedFiles), MemberType = typeof(TestData))]
    public void Fmt_of_a_malformed_file_prints_nothing_but_the_error(string file, int line)
    {
        var path = TestData.PathOf(file);

        var result = Run("fmt", path);

        Assert.Equal(1, result.Exit);
        Assert.Empty(result.Binary);
        Assert.StartsWith($"{path}:{line}:", result.Err, StringComparison.Ordinal);
    }
}
