using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer.Gl;

/// <summary>
/// A one-byte-a-pixel class texture the size of the frame (the CPU-drawn lidar points, <see cref="Model.PointSplatter"/>),
/// drawn over it as one quad: class 0 is discarded, the others take their palette colour. Owns its texture, buffer,
/// vertex array and shader.
/// </summary>
internal sealed class OverlayImage : IDisposable
{
    private const string VertexSource = """
        #version 330 core
        layout(location = 0) in vec2 aPosition;
        out vec2 vUv;
        void main()
        {
            // Texture row 0 is the top of the frame.
            vUv = vec2((aPosition.x + 1.0) * 0.5, (1.0 - aPosition.y) * 0.5);
            gl_Position = vec4(aPosition, 0.0, 1.0);
        }
        """;

    private static readonly string FragmentSource = $$"""
        #version 330 core
        in vec2 vUv;
        uniform sampler2D uImage;
        out vec4 fragColour;
        void main()
        {
            float k = texture(uImage, vUv).r * 255.0;
            if (k < 0.5)
            {
                discard;
            }
            fragColour = k < 1.5 ? vec4({{Vec(Model.Palette.LidarGround)}}) : vec4({{Vec(Model.Palette.LidarObstacle)}});
        }
        """;

    private readonly GL _gl;
    private readonly ShaderProgram _shader;
    private uint _texture;
    private uint _vao;
    private uint _vbo;
    private int _width;
    private int _height;

    public unsafe OverlayImage(GL gl)
    {
        ArgumentNullException.ThrowIfNull(gl);
        _gl = gl;
        _shader = new ShaderProgram(gl, VertexSource, FragmentSource);
        _texture = gl.GenTexture();
        gl.BindTexture(TextureTarget.Texture2D, _texture);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)TextureMinFilter.Nearest);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)TextureMagFilter.Nearest);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapS, (int)TextureWrapMode.ClampToEdge);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapT, (int)TextureWrapMode.ClampToEdge);
        _vao = gl.GenVertexArray();
        _vbo = gl.GenBuffer();
        gl.BindVertexArray(_vao);
        gl.BindBuffer(BufferTargetARB.ArrayBuffer, _vbo);
        ReadOnlySpan<float> quad = [-1, -1, 1, -1, -1, 1, 1, 1];
        gl.BufferData(BufferTargetARB.ArrayBuffer, quad, BufferUsageARB.StaticDraw);
        gl.VertexAttribPointer(0, 2, VertexAttribPointerType.Float, false, 2 * sizeof(float), (void*)0);
        gl.EnableVertexAttribArray(0);
        gl.BindVertexArray(0);
    }

    /// <summary>Uploads <paramref name="classes"/> (width × height bytes, row 0 at the top) and draws it over the frame.</summary>
    public unsafe void Draw(ReadOnlySpan<byte> classes, int width, int height)
    {
        _gl.BindTexture(TextureTarget.Texture2D, _texture);
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        fixed (byte* p = classes)
        {
            if (width != _width || height != _height)
            {
                _gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.R8, (uint)width, (uint)height, 0, PixelFormat.Red, PixelType.UnsignedByte, p);
                (_width, _height) = (width, height);
            }
            else
            {
                _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)width, (uint)height, PixelFormat.Red, PixelType.UnsignedByte, p);
            }
        }

        _shader.Use(System.Numerics.Matrix4x4.Identity);
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindVertexArray(_vao);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
    }

    private static string Vec(Model.Rgba c) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.R:0.000}, {c.G:0.000}, {c.B:0.000}, 1.0");

    public void Dispose()
    {
        if (_texture != 0)
        {
            _gl.DeleteTexture(_texture);
            _texture = 0;
        }

        if (_vbo != 0)
        {
            _gl.DeleteBuffer(_vbo);
            _vbo = 0;
        }

        if (_vao != 0)
        {
            _gl.DeleteVertexArray(_vao);
            _vao = 0;
        }

        _shader.Dispose();
    }
}
