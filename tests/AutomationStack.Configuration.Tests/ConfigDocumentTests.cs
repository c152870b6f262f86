using AutomationStack.Configuration;

namespace AutomationStack.Configuration.Tests;

public sealed class ConfigDocumentTests
{
    private static readonly KeyValuePair<string, int>[] Modes = [new("lockstep", 0), new("realtime", 1)];

    [Test]
    public void Number_PlainNumber_ReturnsValue()
    {
        var doc = ConfigDocument.Parse("step: 0.01\n", "a.yaml");

        var step = doc.Root.Number("step", NumberRange.Positive("a positive number of seconds"));

        Assert.That(step, Is.EqualTo(0.01));
        Assert.That(doc.HasErrors, Is.False);
    }

    [Test]
    public void Number_String_ReportsLocatedTypeError()
    {
        var doc = ConfigDocument.Parse("name: x\nvehicles:\n  - id: a\n  - id: b\n    speed_kph: fast\n", "corridor.yaml");
        var second = doc.Root.RequiredSequence("vehicles")!.Items[1].AsMapping()!;

        second.Number("speed_kph", NumberRange.Any());

        Assert.That(doc.Errors, Has.Count.EqualTo(1));
        Assert.That(doc.Errors[0].ToString(), Is.EqualTo("corridor.yaml:5:16: vehicles[1].speed_kph: expected a number, got \"fast\""));
    }

    [Test]
    public void Number_QuotedNumber_IsRejected()
    {
        var doc = ConfigDocument.Parse("x: \"80\"\n", "a.yaml");

        Assert.That(doc.Root.Number("x", NumberRange.Any()), Is.Null);
        Assert.That(doc.Errors[0].Message, Is.EqualTo("expected a number, got \"80\""));
    }

    [Test]
    public void Number_OutOfRange_ReportsValueAsWritten()
    {
        var doc = ConfigDocument.Parse("step: -0.01\n", "s.yaml");

        doc.Root.Number("step", NumberRange.Positive("a positive number of seconds"));

        Assert.That(doc.Errors[0].ToString(), Is.EqualTo("s.yaml:1:7: step: expected a positive number of seconds, got -0.01"));
    }

    [Test]
    public void Number_Infinity_IsRejected()
    {
        var doc = ConfigDocument.Parse("x: .inf\n", "a.yaml");

        Assert.That(doc.Root.Number("x", NumberRange.Any()), Is.Null);
        Assert.That(doc.HasErrors, Is.True);
    }

    [Test]
    public void RejectUnknownFields_UnknownKey_ListsKnownFields()
    {
        var doc = ConfigDocument.Parse("speed_kph: 1\nsped_kph: 2\n", "a.yaml");
        doc.Root.Number("speed_kph", NumberRange.Any());
        doc.Root.Number("lane", NumberRange.Any());

        doc.Root.RejectUnknownFields();

        Assert.That(doc.Errors, Has.Count.EqualTo(1));
        Assert.That(doc.Errors[0].ToString(), Is.EqualTo("a.yaml:2:1: sped_kph: unknown field 'sped_kph' (expected one of: speed_kph, lane)"));
    }

    [Test]
    public void RequiredString_Missing_ReportsAtMapping()
    {
        var doc = ConfigDocument.Parse("outer:\n  a: 1\n", "a.yaml");
        var outer = doc.Root.RequiredMapping("outer")!;

        Assert.That(outer.RequiredString("name", "a name"), Is.Null);
        Assert.That(doc.Errors[0].ToString(), Is.EqualTo("a.yaml:2:3: outer.name: required field is missing (expected a name)"));
    }

    [Test]
    public void ThrowIfErrors_SeveralErrors_ThrowsWithAllInOrder()
    {
        var doc = ConfigDocument.Parse("a: x\nb: y\nc: 3\n", "a.yaml");
        doc.Root.Number("b", NumberRange.Any());
        doc.Root.Number("a", NumberRange.Any());
        doc.Root.Number("c", NumberRange.Any());

        var ex = Assert.Throws<ConfigurationException>(doc.ThrowIfErrors);

        Assert.That(ex.Errors.Select(e => e.Field), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(ex.Message.Split('\n'), Has.Length.EqualTo(2));
        Assert.That(ex.Message, Does.StartWith("a.yaml:1:4: a: expected a number, got \"x\""));
    }

    [Test]
    public void Parse_SyntaxError_ThrowsWithLocation()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"));

        Assert.That(ex.Errors, Has.Count.EqualTo(1));
        Assert.That(ex.Errors[0].Line, Is.GreaterThan(1));
        Assert.That(ex.Message, Does.StartWith("bad.yaml:").And.Contain("invalid YAML"));
    }

    [Test]
    public void Parse_DuplicateKey_ThrowsWithLocation()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse("a: 1\na: 2\n", "dup.yaml"));

        Assert.That(ex.Errors[0].Line, Is.EqualTo(2));
        Assert.That(ex.Message, Does.Contain("dup.yaml:2:"));
    }

    [Test]
    public void Parse_TopLevelList_Throws()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse("- 1\n- 2\n", "l.yaml"));

        Assert.That(ex.Message, Does.Contain("expected a mapping at the top level, got a list"));
    }

    [Test]
    public void Parse_EmptyText_Throws()
    {
        Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse(string.Empty, "e.yaml"));
    }

    [Test]
    public void Load_MissingFile_ThrowsNamingPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Load(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("file not found"));
    }

    [Test]
    public void Choice_UnknownName_ListsOptions()
    {
        var doc = ConfigDocument.Parse("mode: fast\n", "a.yaml");

        Assert.That(doc.Root.Choice("mode", Modes), Is.Null);
        Assert.That(doc.Errors[0].Message, Is.EqualTo("expected one of lockstep, realtime, got \"fast\""));
    }

    [Test]
    public void Choice_KnownName_ReturnsValue()
    {
        var doc = ConfigDocument.Parse("mode: realtime\n", "a.yaml");

        Assert.That(doc.Root.Choice("mode", Modes), Is.EqualTo(1));
    }

    [Test]
    public void Integer_Fraction_IsRejected()
    {
        var doc = ConfigDocument.Parse("n: 2.5\n", "a.yaml");

        Assert.That(doc.Root.Integer("n", 1, 10, "an integer from 1 to 10"), Is.Null);
        Assert.That(doc.Errors[0].Message, Is.EqualTo("expected an integer from 1 to 10, got 2.5"));
    }

    [Test]
    public void UInt64_LargeValue_ReturnsValue()
    {
        var doc = ConfigDocument.Parse("seed: 18446744073709551615\n", "a.yaml");

        Assert.That(doc.Root.UInt64("seed", "an unsigned 64-bit integer"), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void Boolean_NullValue_ReportsNull()
    {
        var doc = ConfigDocument.Parse("flag:\n", "a.yaml");

        Assert.That(doc.Root.Boolean("flag"), Is.Null);
        Assert.That(doc.Errors[0].Message, Is.EqualTo("expected true or false, got nothing"));
    }

    [Test]
    public void Entries_FreeFormMapping_ReturnsAllWithPaths()
    {
        var doc = ConfigDocument.Parse("parameters:\n  acc.time_gap: 1.5\n  b: 2\n", "a.yaml");
        var parameters = doc.Root.RequiredMapping("parameters")!;

        var entries = parameters.Entries().ToList();
        parameters.RejectUnknownFields();

        Assert.That(entries.Select(e => e.Value.Path), Is.EqualTo(new[] { "parameters.acc.time_gap", "parameters.b" }));
        Assert.That(doc.HasErrors, Is.False);
    }

    // Found by fuzzing (tools/AutomationStack.Fuzz, regressions/scenario): YamlDotNet's representation model threw
    // ArgumentException ("The current event is of an unsupported type") out of Parse.
    [TestCase("roads:\n  - id: A1\n    elevation:\n      - {s: 0, z: 0}\n    :\n  - id: 1\n")]
    public void Parse_LoneColonWhereNoKeyCanBe_ConfigurationExceptionNotArgumentException(string text)
    {
        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse(text, "fuzz.yaml"));
        Assert.That(ex!.Errors[0].Message, Does.Contain("where none can be"));
    }

    // Found by fuzzing (regressions/scenario/yaml-deep-nesting-stack-overflow.yaml): about 16,000 nested mappings in
    // 30 KB overflowed the stack in YamlDotNet's recursive node loader and killed the process.
    [TestCase("{a: ", "}")]
    [TestCase("[", "]")]
    [TestCase("- ", "")]
    public void Parse_NestedDeeperThanTheLimit_ConfigurationExceptionNotStackOverflow(string open, string close)
    {
        var depth = 20_000;
        var text = "x: " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";
        if (open == "- ")
        {
            text = "x:\n" + string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i + 1) + "-\n")); // 1,000 levels: the text grows with depth²
        }

        var ex = Assert.Throws<ConfigurationException>(() => ConfigDocument.Parse(text, "deep.yaml"));
        Assert.That(ex!.Errors[0].Message, Does.Contain("nested more than 64 levels"));
    }

    [Test]
    public void Parse_NestedExactlyAtTheLimit_Parses()
    {
        var depth = ConfigDocument.MaxNestingDepth - 1; // the top-level mapping is one level
        var text = "x: " + string.Concat(Enumerable.Repeat("[", depth)) + "1" + string.Concat(Enumerable.Repeat("]", depth)) + "\n";
        Assert.That(ConfigDocument.Parse(text, "deep.yaml").HasErrors, Is.False);
    }
}
