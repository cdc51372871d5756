package org.seqlab.data;

import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Strict UTF-8 text reading: invalid bytes are an error that says where they are. */
public final class TextFiles {
    private TextFiles() {}

    public static String readUtf8(Path file) {
        return decode(readBytes(file), file.toString());
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The regular files under {@code dir} (recursively), as paths relative to it with '/'
     * separators, sorted; hidden files and directories (names starting with '.') are left out.
     */
    public static List<String> list(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(dir::relativize)
                    .filter(rel -> { for (Path part : rel) if (part.toString().startsWith(".")) return false; return true; })
                    .map(rel -> rel.toString().replace(java.io.File.separatorChar, '/')).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new UserException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    public static String decode(byte[] bytes, String source) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            String s = d.decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            int bad = firstInvalidByte(bytes);
            int line = 1, col = 1;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') { line++; col = 1; } else if ((bytes[i] & 0xC0) != 0x80) col++;
            }
            throw new UserException(String.format("%s:%d:%d: invalid UTF-8 byte 0x%02X at offset %d (save the file as UTF-8)",
                    source, line, col, bytes[bad] & 0xFF, bad));
        }
    }

    /** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    static int firstInvalidByte(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        return r.isError() ? in.position() : b.length - 1;
    }
}
