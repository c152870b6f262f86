using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer.Gl;

/// <summary>A frame buffer object with an RGBA8 colour and a depth-24 render buffer, read back with glReadPixels.</summary>
internal sealed class OffscreenTarget : IDisposable
{
    private readonly GL _gl;
    private uint _framebuffer;
    private uint _colour;
    private uint _depth;

    public OffscreenTarget(GL gl, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(gl);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        _gl = gl;
        Width = width;
        Height = height;
        _framebuffer = gl.GenFramebuffer();
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
        _colour = gl.GenRenderbuffer();
        gl.BindRenderbuffer(RenderbufferTarget.Renderbuffer, _colour);
        gl.RenderbufferStorage(RenderbufferTarget.Renderbuffer, InternalFormat.Rgba8, (uint)width, (uint)height);
        gl.FramebufferRenderbuffer(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, RenderbufferTarget.Renderbuffer, _colour);
        _depth = gl.GenRenderbuffer();
        gl.BindRenderbuffer(RenderbufferTarget.Renderbuffer, _depth);
        gl.RenderbufferStorage(RenderbufferTarget.Renderbuffer, InternalFormat.DepthComponent24, (uint)width, (uint)height);
        gl.FramebufferRenderbuffer(FramebufferTarget.Framebuffer, FramebufferAttachment.DepthAttachment, RenderbufferTarget.Renderbuffer, _depth);
        var status = gl.CheckFramebufferStatus(FramebufferTarget.Framebuffer);
        if (status != GLEnum.FramebufferComplete)
        {
            Dispose();
            throw new InvalidOperationException($"frame buffer {width}×{height} incomplete: {status}");
        }
    }

    public int Width { get; }

    public int Height { get; }

    public void Bind() => _gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);

    /// <summary>
    /// Reads the frame as RGBA8 rows from the top (glReadPixels gives the bottom row first; this flips it) into
    /// <paramref name="rgba"/> (width × height × 4 bytes).
    /// </summary>
    public void ReadRgbaTopDown(Span<byte> rgba, Span<byte> scratch)
    {
        Bind();
        ReadFramebuffer(_gl, Width, Height, rgba, scratch);
    }

    /// <summary>Reads the bound frame buffer's RGBA8 pixels, top row first.</summary>
    public static void ReadFramebuffer(GL gl, int width, int height, Span<byte> rgba, Span<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(gl);
        var size = width * height * 4;
        if (rgba.Length < size || scratch.Length < size)
        {
            throw new ArgumentException($"buffers need {size} bytes");
        }

        gl.PixelStore(PixelStoreParameter.PackAlignment, 1);
        gl.ReadPixels(0, 0, (uint)width, (uint)height, PixelFormat.Rgba, PixelType.UnsignedByte, scratch[..size]);
        var row = width * 4;
        for (var y = 0; y < height; y++)
        {
            scratch.Slice((height - 1 - y) * row, row).CopyTo(rgba.Slice(y * row, row));
        }
    }

    public void Dispose()
    {
        if (_framebuffer != 0)
        {
            _gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
            _gl.DeleteFramebuffer(_framebuffer);
            _framebuffer = 0;
        }

        if (_colour != 0)
        {
            _gl.DeleteRenderbuffer(_colour);
            _colour = 0;
        }

        if (_depth != 0)
        {
            _gl.DeleteRenderbuffer(_depth);
            _depth = 0;
        }
    }
}
