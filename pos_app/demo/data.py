"""A realistic apparel catalog and member base for demos, tests and benchmarks.

Deterministic for a seed.  SKU ids and barcodes depend only on the SKU's position (style
number, colour, size), never on the seed, so re-running replaces the same SKUs and can never
create a second barcode for one of them; the seed decides materials, fits, prices and members.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pos_app.domain.catalog import Sku, Style, with_check_digit

YEAR = 2026
# 69x: GS1 China.  A demo company prefix per million items (690123, 690124, …).
COMPANY_PREFIX = 690123
STORE_CODE_SHARE = 10  # one SKU in ten also has an in-store code (GS1 prefix 20)

# (category, category_en, garments: (name, name_en, low yuan, high yuan), sizes)
ADULT_SIZES = ("S", "M", "L", "XL", "XXL")
KIDS_SIZES = ("100", "110", "120", "130", "140", "150")
GARMENTS: dict[
    str, tuple[str, str, tuple[str, str], list[tuple[str, str, int, int]], tuple[str, ...]]
] = {
    "men": (
        "男装",
        "Menswear",
        ("男士", "Men's"),
        [
            ("夹克", "Jacket", 499, 2999),
            ("衬衫", "Shirt", 199, 899),
            ("西裤", "Trousers", 299, 1299),
            ("卫衣", "Sweatshirt", 199, 799),
            ("T恤", "T-shirt", 99, 399),
            ("羽绒服", "Down Coat", 799, 2999),
            ("毛衣", "Sweater", 299, 1599),
            ("牛仔裤", "Jeans", 299, 999),
            ("Polo衫", "Polo Shirt", 199, 699),
            ("风衣", "Trench Coat", 899, 2999),
        ],
        ADULT_SIZES,
    ),
    "women": (
        "女装",
        "Womenswear",
        ("女士", "Women's"),
        [
            ("连衣裙", "Dress", 299, 1999),
            ("衬衫", "Blouse", 199, 899),
            ("半身裙", "Skirt", 199, 899),
            ("针织衫", "Cardigan", 299, 1299),
            ("大衣", "Coat", 999, 2999),
            ("阔腿裤", "Wide-leg Trousers", 299, 999),
            ("T恤", "T-shirt", 99, 399),
            ("羽绒服", "Down Coat", 799, 2999),
        ],
        ("XS", "S", "M", "L", "XL"),
    ),
    "kids": (
        "童装",
        "Kidswear",
        ("儿童", "Kids'"),
        [
            ("外套", "Jacket", 199, 899),
            ("卫衣", "Sweatshirt", 129, 499),
            ("T恤", "T-shirt", 99, 259),
            ("运动裤", "Track Pants", 129, 399),
            ("羽绒服", "Down Coat", 399, 1299),
        ],
        KIDS_SIZES,
    ),
    "accessories": (
        "配饰",
        "Accessories",
        ("", ""),
        [
            ("围巾", "Scarf", 199, 1299),
            ("皮带", "Belt", 199, 899),
            ("棒球帽", "Cap", 99, 399),
            ("手套", "Gloves", 99, 599),
            ("袜子", "Socks", 99, 199),
            ("双肩包", "Backpack", 299, 1599),
        ],
        ("均码",),
    ),
    "shoes": (
        "鞋履",
        "Shoes",
        ("", ""),
        [
            ("休闲鞋", "Casual Shoes", 399, 1599),
            ("运动鞋", "Trainers", 399, 1299),
            ("短靴", "Ankle Boots", 699, 2499),
        ],
        ("38", "39", "40", "41", "42", "43", "44"),
    ),
}
CATEGORY_WEIGHTS = {"men": 32, "women": 36, "kids": 14, "accessories": 10, "shoes": 8}
# Not clothing, so not 13%: printed matter 9%, services 6%, a charity item exempt (0%).
OTHER = [
    ("品牌画册", "Brand Lookbook", 900, 99, "其他", "Other"),
    ("改衣服务", "Alteration Service", 600, 99, "服务", "Services"),
    ("公益帆布袋", "Charity Tote Bag", 0, 99, "其他", "Other"),
]
MATERIALS = [
    ("羊毛", "Wool"),
    ("纯棉", "Cotton"),
    ("亚麻", "Linen"),
    ("真丝", "Silk"),
    ("羊绒", "Cashmere"),
    ("牛仔", "Denim"),
    ("摇粒绒", "Fleece"),
    ("", ""),
]
FITS = [("", ""), ("修身", "Slim"), ("宽松", "Loose"), ("经典", "Classic"), ("休闲", "Casual")]
COLOURS = [
    ("BLK", "黑", "Black"),
    ("WHT", "白", "White"),
    ("NVY", "藏青", "Navy"),
    ("GRY", "灰", "Grey"),
    ("RED", "红", "Red"),
    ("BEI", "米", "Beige"),
    ("KHA", "卡其", "Khaki"),
    ("GRN", "绿", "Green"),
    ("BLU", "蓝", "Blue"),
    ("PNK", "粉", "Pink"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建林波宁斌浩凯欣怡子"
    "涵梓轩雨萱晨佳琪思彤宇航博文"
)
# Mobile prefixes in service (MIIT numbering plan): 13x, 14x, 15x, 16x, 17x, 18x, 19x.
MOBILE_PREFIXES = (
    [str(p) for p in range(130, 140)]
    + ["145", "147", "149"]
    + [str(p) for p in (150, 151, 152, 153, 155, 156, 157, 158, 159)]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "175", "176", "177", "178"]
    + [str(p) for p in range(180, 190)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)
TIERS = (("core", 10), ("potential", 30), ("ordinary", 60))

# The demo chain: store id, name, latitude, longitude, how much stock it carries (the demo till
# is S001; the others answer the stock grid's "other stores" when the till is enrolled).
DEMO_STORES = (
    ("S001", "静安嘉里中心店", 31.2243, 121.4459, 1.0),
    ("S002", "南京西路店", 31.2304, 121.4594, 0.7),
    ("S003", "徐家汇港汇店", 31.1950, 121.4366, 1.3),
    ("S004", "陆家嘴正大店", 31.2372, 121.5017, 0.5),
)
# Units on hand of one colour in one size at a store of scale 1.0: a size curve that peaks in
# the middle sizes, as an apparel buyer orders (a store holds few XS and XXL, more M and L).
SIZE_UNITS = {
    "XS": 2, "S": 5, "M": 8, "L": 8, "XL": 5, "XXL": 2,
    "100": 3, "110": 4, "120": 5, "130": 5, "140": 4, "150": 3,
    "38": 2, "39": 4, "40": 6, "41": 6, "42": 5, "43": 3, "44": 2,
    "均码": 12, "": 20,
}  # fmt: skip
CORE_COLOURS = {"黑", "白", "藏青", "灰"}  # bought deeper than the season's fashion colours
SOLD_OUT_SHARE = 0.02  # a size/colour already sold out at a store
MEMBER_NS = uuid.UUID("1c6f1a5e-8d7b-4f0e-9a55-6d0b7c1e2a90")


def ending_in_9(yuan: int) -> int:
    """The price at or below `yuan` that ends in 9 (…9, …99 for larger prices)."""
    if yuan >= 1000:
        return max(99, yuan // 100 * 100 - 1)
    return max(9, yuan // 10 * 10 - 1) if yuan % 10 != 9 else yuan


def ean13_for(serial: int) -> str:
    company, item = divmod(serial, 1_000_000)
    return with_check_digit(f"{COMPANY_PREFIX + company}{item:06d}")


def store_code_for(serial: int) -> str:
    return with_check_digit(f"20{serial:010d}")


@dataclass(frozen=True)
class SkuBatch:
    styles: list[Style]
    skus: list[Sku]
    kinds: dict[str, str]


def generate_catalog(count: int, seed: int = 1, batch_size: int = 20_000) -> Iterator[SkuBatch]:
    """`count` SKUs in batches: styles × colours × sizes, with a few non-clothing items."""
    rng = random.Random(seed)
    cats = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    serial = 0
    style_no = 0
    styles: list[Style] = []
    skus: list[Sku] = []
    kinds: dict[str, str] = {}
    while serial < count:
        style_no += 1
        style_id = f"QP-{YEAR}-{style_no:04d}"
        if style_no % 97 == 0:
            name, name_en, vat, yuan, cat, _cat_en = OTHER[(style_no // 97) % len(OTHER)]
            variants = [("", "", "", "", "均码")]
        else:
            # The shape of a style (category, garment, colours, sizes) and so its SKU ids
            # depend on the style number only: any seed re-run rewrites the same SKUs.
            shape = random.Random(style_no)
            key = shape.choices(cats, weights)[0]
            cat, _cat_en, (who, who_en), garments, sizes = GARMENTS[key]
            g_name, g_en, low, high = shape.choice(garments)
            mat, mat_en = rng.choice(MATERIALS)
            fit, fit_en = rng.choice(FITS)
            name = f"{who}{fit}{mat}{g_name}"
            name_en = " ".join(w for w in (who_en, fit_en, mat_en, g_en) if w)
            vat = 1300
            yuan = ending_in_9(rng.randint(low, high))
            colours = shape.sample(COLOURS, shape.randint(2, 4))
            chosen = sizes if len(sizes) <= 4 else sizes[: shape.randint(3, len(sizes))]
            variants = [
                (c, cz, ce, "OS" if s == "均码" else s, s) for c, cz, ce in colours for s in chosen
            ]
        # `category` is the category's code, which promotions, coupons and the points
        # exclusions (default 服务) name exactly; a display label appended to it
        # ("服务 Services") made the demo's services earn points.
        styles.append(Style(style_id, name, name_en, cat))
        price = yuan * 100
        # Member price ≈ 90%, still ending in 9: 299 → 269, 1299 → 1169.
        tenth = yuan * 9 // 10
        member = (tenth if tenth % 10 == 9 else tenth // 10 * 10 - 1) * 100 if yuan >= 99 else None
        for code, colour, colour_en, size_code, size in variants:
            if serial >= count:
                break
            sku_id = "-".join(p for p in (style_id, code, size_code if code else "") if p)
            barcodes = [ean13_for(serial)]
            kinds[barcodes[0]] = "ean13"
            if serial % STORE_CODE_SHARE == 0:
                barcodes.append(store_code_for(serial))
                kinds[barcodes[1]] = "store"
            printed = " ".join(p for p in (name, colour, size if code else "") if p)
            printed_en = " ".join(p for p in (name_en, colour_en, size if code else "") if p)
            skus.append(
                Sku(
                    sku=sku_id,
                    style=style_id,
                    name=printed,
                    name_en=printed_en,
                    colour=colour,
                    size=size if code else "",
                    category=cat,
                    vat_rate_bp=vat,
                    price_fen=price,
                    member_price_fen=member,
                    barcodes=tuple(barcodes),
                )
            )
            serial += 1
        if len(skus) >= batch_size:
            yield SkuBatch(styles, skus, kinds)
            styles, skus, kinds = [], [], {}
    if skus:
        yield SkuBatch(styles, skus, kinds)


def generate_members(count: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    """Members as rows for SqliteCatalog.upsert_members (updated_at left to the caller)."""
    rng = random.Random(seed * 7919 + 17)
    phones: set[str] = set()
    tier_names = [t for t, _ in TIERS]
    tier_weights = [w for _, w in TIERS]
    epoch = date(YEAR - 4, 1, 1)
    while len(phones) < count:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
        if phone in phones:
            continue
        phones.add(phone)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 48))
        tier = rng.choices(tier_names, tier_weights)[0]
        points = {"core": rng.randint(2000, 30000), "potential": rng.randint(200, 6000)}.get(
            tier, rng.randint(0, 1200)
        )
        stored = rng.choice((0, 0, 500, 1000, 2000, 5000)) * 100 if tier == "core" else 0
        if tier == "potential" and rng.random() < 0.2:
            stored = rng.choice((200, 500, 1000)) * 100
        joined = epoch + timedelta(days=rng.randrange(365 * 4))
        created = (
            f"{joined.isoformat()}T{rng.randrange(10, 21):02d}:{rng.randrange(60):02d}:00+00:00"
        )
        member_id = str(uuid.uuid5(MEMBER_NS, phone))
        yield (member_id, phone, name, born.isoformat(), tier, points, stored, created, "", created)


def stock_quantity(sku: Sku, store_id: str = "S001", seed: int = 1, scale: float = 1.0) -> int:
    """Units of `sku` on hand at a demo store: the size curve, deeper in core colours, varied
    per SKU and store, now and then sold out.  Deterministic for (seed, store, SKU)."""
    # Two uniform numbers from a hash of the key: a Random() per SKU would cost 500,000 seedings.
    digest = hashlib.blake2b(f"{seed}:{store_id}:{sku.sku}".encode(), digest_size=8).digest()
    sold_out, spread = (int.from_bytes(digest[i : i + 4], "big") / 2**32 for i in (0, 4))
    if sold_out < SOLD_OUT_SHARE:
        return 0
    units = SIZE_UNITS.get(sku.size, 4) * (1.4 if sku.colour in CORE_COLOURS else 0.8)
    return max(1, round(units * scale * (0.5 + spread)))


def generate_stock(
    skus: Iterable[Sku], store_id: str = "S001", seed: int = 1, scale: float = 1.0
) -> Iterator[tuple[str, int]]:
    """(sku, units on hand) for each SKU at one demo store."""
    for sku in skus:
        yield sku.sku, stock_quantity(sku, store_id, seed, scale)
