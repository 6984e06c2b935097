package io.pgherd.protocol;

import static io.pgherd.protocol.TestBytes.buffer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeLeakTest {
    static final List<WeakReference<Object>> REFS = new ArrayList<>();

    @Test
    void probe() throws Exception {
        leak(true);
        report("with finish");
        leak(false);
        report("without finish");
    }

    private static void report(String what) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        StringBuilder sb = new StringBuilder(what + ":");
        for (WeakReference<Object> r : REFS) {
            sb.append(' ').append(r.get() == null ? "gone" : r.get().getClass().getSimpleName());
        }
        System.out.println(sb + " leaks=" + NettyLeakDetection.collectLeaks().size());
        REFS.clear();
    }

    private static void leak(boolean finish) {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrameDecoder(1024));
        ByteBuf in = buffer("53 00000004 51 0000000d 53454c45");
        REFS.add(new WeakReference<>(in));
        REFS.add(new WeakReference<>(in.unwrap()));
        REFS.add(new WeakReference<>(channel));
        channel.writeInbound(in);
        Frame sync = channel.readInbound();
        REFS.add(new WeakReference<>(sync));
        REFS.add(new WeakReference<>(sync.content()));
        REFS.add(new WeakReference<>(sync.content().unwrap()));
        if (finish) {
            try {
                channel.finish();
            } catch (ProtocolException expected) {
                System.out.println("thrown");
            }
        }
    }
}
