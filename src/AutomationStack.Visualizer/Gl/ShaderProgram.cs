using System.Numerics;
using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer.Gl;

/// <summary>A linked GLSL 3.30 program with one <c>uMvp</c> matrix uniform.</summary>
internal sealed class ShaderProgram : IDisposable
{
    private readonly GL _gl;
    private readonly int _mvp;
    private uint _program;

    public ShaderProgram(GL gl, string vertexSource, string fragmentSource)
    {
        ArgumentNullException.ThrowIfNull(gl);
        _gl = gl;
        var vertex = Compile(ShaderType.VertexShader, vertexSource);
        var fragment = Compile(ShaderType.FragmentShader, fragmentSource);
        _program = gl.CreateProgram();
        gl.AttachShader(_program, vertex);
        gl.AttachShader(_program, fragment);
        gl.LinkProgram(_program);
        gl.DetachShader(_program, vertex);
        gl.DetachShader(_program, fragment);
        gl.DeleteShader(vertex);
        gl.DeleteShader(fragment);
        gl.GetProgram(_program, ProgramPropertyARB.LinkStatus, out var linked);
        if (linked == 0)
        {
            var log = gl.GetProgramInfoLog(_program);
            gl.DeleteProgram(_program);
            _program = 0;
            throw new InvalidOperationException($"shader program did not link: {log}");
        }

        _mvp = gl.GetUniformLocation(_program, "uMvp");
    }

    public void Use(Matrix4x4 mvp)
    {
        _gl.UseProgram(_program);

        // System.Numerics is row-major with row vectors; GLSL reads the same floats column-major: M × v = v × Mᵀᵀ.
        Span<float> m =
        [
            mvp.M11, mvp.M12, mvp.M13, mvp.M14, mvp.M21, mvp.M22, mvp.M23, mvp.M24,
            mvp.M31, mvp.M32, mvp.M33, mvp.M34, mvp.M41, mvp.M42, mvp.M43, mvp.M44,
        ];
        _gl.UniformMatrix4(_mvp, 1, false, m);
    }

    public void Dispose()
    {
        if (_program != 0)
        {
            _gl.DeleteProgram(_program);
            _program = 0;
        }
    }

    private uint Compile(ShaderType type, string source)
    {
        var shader = _gl.CreateShader(type);
        _gl.ShaderSource(shader, source);
        _gl.CompileShader(shader);
        _gl.GetShader(shader, ShaderParameterName.CompileStatus, out var ok);
        if (ok == 0)
        {
            var log = _gl.GetShaderInfoLog(shader);
            _gl.DeleteShader(shader);
            throw new InvalidOperationException($"{type} did not compile: {log}");
        }

        return shader;
    }
}
