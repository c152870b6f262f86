namespace AutomationStack.Perception;

/// <summary>
/// The classifier's input crop of a signal head: the head's housing rectangle in the camera image, widened by
/// <see cref="Margin"/> of its size on every side, resampled bilinearly to <see cref="Width"/> × <see cref="Height"/>
/// RGB, channel-major (CHW), 8-bit. The same code cuts training crops and run-time crops.
/// </summary>
public static class TrafficLightCrop
{
    public const int Width = 32;
    public const int Height = 64;
    public const int Channels = 3;
    public const int Size = Channels * Width * Height;
    public const double Margin = 0.2;

    /// <summary>
    /// Cuts the crop of the housing rectangle (<paramref name="x"/>, <paramref name="y"/>, <paramref name="w"/>,
    /// <paramref name="h"/>) out of an RGB8 image into <paramref name="crop"/> (CHW, <see cref="Size"/> bytes). Pixels
    /// outside the image repeat the nearest edge pixel.
    /// </summary>
    public static void Extract(ReadOnlySpan<byte> rgb, int imageWidth, int imageHeight, double x, double y, double w, double h, Span<byte> crop)
    {
        if (rgb.Length < imageWidth * imageHeight * Channels)
        {
            throw new ArgumentException($"an RGB8 image of {imageWidth}×{imageHeight} needs {imageWidth * imageHeight * Channels} bytes, got {rgb.Length}", nameof(rgb));
        }

        if (crop.Length < Size)
        {
            throw new ArgumentException($"the crop needs {Size} bytes", nameof(crop));
        }

        var x0 = x - (Margin * w);
        var y0 = y - (Margin * h);
        var sx = w * (1 + (2 * Margin)) / Width;
        var sy = h * (1 + (2 * Margin)) / Height;
        for (var row = 0; row < Height; row++)
        {
            var fy = Math.Clamp(y0 + ((row + 0.5) * sy) - 0.5, 0, imageHeight - 1);
            var iy = (int)fy;
            var iy1 = Math.Min(iy + 1, imageHeight - 1);
            var ty = fy - iy;
            for (var col = 0; col < Width; col++)
            {
                var fx = Math.Clamp(x0 + ((col + 0.5) * sx) - 0.5, 0, imageWidth - 1);
                var ix = (int)fx;
                var ix1 = Math.Min(ix + 1, imageWidth - 1);
                var tx = fx - ix;
                for (var c = 0; c < Channels; c++)
                {
                    var a = rgb[(((iy * imageWidth) + ix) * Channels) + c];
                    var b = rgb[(((iy * imageWidth) + ix1) * Channels) + c];
                    var d = rgb[(((iy1 * imageWidth) + ix) * Channels) + c];
                    var e = rgb[(((iy1 * imageWidth) + ix1) * Channels) + c];
                    var top = a + ((b - a) * tx);
                    var bottom = d + ((e - d) * tx);
                    crop[(c * Width * Height) + (row * Width) + col] = (byte)Math.Clamp(Math.Round(top + ((bottom - top) * ty)), 0, 255);
                }
            }
        }
    }
}
