package io.pgherd.proxy.frontend;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * PostgreSQL's names for client encodings, so the proxy reports {@code client_encoding} at login as
 * the server would: {@code utf8}, {@code UTF-8} and {@code unicode} are all {@code UTF8}. The table
 * is PostgreSQL's ({@code src/common/encnames.c}, {@code pg_encname_tbl}); a name is looked up as
 * PostgreSQL does, lower-cased and with everything but letters and digits removed. Stateless.
 */
final class ClientEncoding {
    private static final Map<String, String> CANONICAL = new HashMap<>();

    static {
        String[][] aliases = {
            {"abc", "WIN1258"}, {"alt", "WIN866"}, {"big5", "BIG5"}, {"euccn", "EUC_CN"},
            {"eucjis2004", "EUC_JIS_2004"}, {"eucjp", "EUC_JP"}, {"euckr", "EUC_KR"}, {"euctw", "EUC_TW"},
            {"gb18030", "GB18030"}, {"gbk", "GBK"}, {"iso88591", "LATIN1"}, {"iso885910", "LATIN6"},
            {"iso885913", "LATIN7"}, {"iso885914", "LATIN8"}, {"iso885915", "LATIN9"}, {"iso885916", "LATIN10"},
            {"iso88592", "LATIN2"}, {"iso88593", "LATIN3"}, {"iso88594", "LATIN4"}, {"iso88595", "ISO_8859_5"},
            {"iso88596", "ISO_8859_6"}, {"iso88597", "ISO_8859_7"}, {"iso88598", "ISO_8859_8"},
            {"iso88599", "LATIN5"}, {"johab", "JOHAB"}, {"koi8", "KOI8R"}, {"koi8r", "KOI8R"}, {"koi8u", "KOI8U"},
            {"latin1", "LATIN1"}, {"latin2", "LATIN2"}, {"latin3", "LATIN3"}, {"latin4", "LATIN4"},
            {"latin5", "LATIN5"}, {"latin6", "LATIN6"}, {"latin7", "LATIN7"}, {"latin8", "LATIN8"},
            {"latin9", "LATIN9"}, {"latin10", "LATIN10"}, {"mskanji", "SJIS"}, {"muleinternal", "MULE_INTERNAL"},
            {"shiftjis", "SJIS"}, {"shiftjis2004", "SHIFT_JIS_2004"}, {"sjis", "SJIS"}, {"sqlascii", "SQL_ASCII"},
            {"tcvn", "WIN1258"}, {"tcvn5712", "WIN1258"}, {"uhc", "UHC"}, {"unicode", "UTF8"}, {"utf8", "UTF8"},
            {"vscii", "WIN1258"}, {"win", "WIN1251"}, {"win866", "WIN866"}, {"win874", "WIN874"},
            {"win932", "SJIS"}, {"win936", "GBK"}, {"win949", "UHC"}, {"win950", "BIG5"},
            {"windows866", "WIN866"}, {"windows874", "WIN874"}, {"windows932", "SJIS"}, {"windows936", "GBK"},
            {"windows949", "UHC"}, {"windows950", "BIG5"},
        };
        for (String[] alias : aliases) {
            CANONICAL.put(alias[0], alias[1]);
        }
        for (int i = 1250; i <= 1258; i++) {
            CANONICAL.put("win" + i, "WIN" + i);
            CANONICAL.put("windows" + i, "WIN" + i);
        }
    }

    private ClientEncoding() {
    }

    /** The server's name for the encoding a client called {@code name}, or empty if PostgreSQL knows no such encoding. */
    static Optional<String> canonical(String name) {
        StringBuilder clean = new StringBuilder(name.length());
        for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                clean.append(c);
            }
        }
        return Optional.ofNullable(CANONICAL.get(clean.toString()));
    }
}
