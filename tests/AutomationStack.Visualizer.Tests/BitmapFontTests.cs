using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

[TestFixture]
public sealed class BitmapFontTests
{
    [Test]
    public void AddText_One_LitPixelsAsSquares()
    {
        var triangles = new VertexList();

        BitmapFont.AddText(triangles, "1", 10, 20, 2, Palette.Cursor);

        // '1' has 10 lit pixels in the 5 × 7 font: 10 squares of two triangles.
        Assert.That(triangles.Count, Is.EqualTo(10 * 6));
        var xs = Enumerable.Range(0, triangles.Count).Select(i => triangles.Data[i * VertexList.FloatsPerVertex]).ToArray();
        Assert.That((xs.Min(), xs.Max()), Is.EqualTo((12f, 18f)));
    }

    [Test]
    public void AddText_LowerCaseAndUnknown_CapitalsAndBlanks()
    {
        var lower = new VertexList();
        var upper = new VertexList();

        BitmapFont.AddText(lower, "truck#1", 0, 0, 1, Palette.Cursor);
        BitmapFont.AddText(upper, "TRUCK 1", 0, 0, 1, Palette.Cursor);

        Assert.That(lower.Data.ToArray(), Is.EqualTo(upper.Data.ToArray()));
        Assert.That(BitmapFont.Width("AB", 3), Is.EqualTo(((2 * BitmapFont.Advance) - 1) * 3));
    }
}
