using StbImageWriteSharp;

namespace AutomationStack.Visualizer;

/// <summary>Writes RGBA8 pixels (top row first) as a PNG file.</summary>
internal static class PngFile
{
    public static void Write(string path, byte[] rgba, int width, int height)
    {
        using var stream = File.Create(path);
        new ImageWriter().WritePng(rgba, width, height, ColorComponents.RedGreenBlueAlpha, stream);
    }
}
