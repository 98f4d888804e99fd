# ruff: noqa: E501  (template data reads best one template per line)
"""Listing, profile and report wording, by policy. Key spans are marked ``«…»``."""

from __future__ import annotations

# ---------------------------------------------------------------- clean listings
TITLE = (
    "$brand $item",
    "$brand $item $size",
    "Vintage $brand $item",
    "$brand $item - $colour - size $size",
    "$era $colour $brand $item",
    "$colour $brand $item",
    "$brand $item size $size",
    "$brand $item {BNWT|new with tags|NWT}",
    "{Rare|Classic|Iconic} $brand $item",
    "$brand $colour $item | $size",
)
OPENER = (
    "{Vintage|Gorgeous|Lovely|Super cute|Rare|Classic|Beautiful|Cool} $brand $item in $colour.",
    "$brand $item, $colour.",
    "Selling my $brand $item as I've {got too many|grown out of it|never worn it enough|had a wardrobe clear out}.",
    "{Really|Such a} {cute|nice|versatile} $item from $brand, {perfect for|great for} {summer|autumn~fall|festivals|layering|everyday|uni|work}.",
    "$era $brand $item.",
    "{Lovely|Nice} $colour $item by $brand, {goes with everything|a wardrobe staple|very on trend}.",
)
SIZE_LINE = (
    "Size $size{, fits true to size|, fits oversized|, fits more like a {S|M|L}|}.",
    "Labelled $size.",
    "Size: $size",
    "Tagged $size{ but fits small| but fits big|}.",
)
CONDITION_LINE = ("Condition: $condition.", "$condition.", "Condition - $condition.")
POSTAGE_LINE = (
    "{Posted|Sent} {next day|within 2 days|within 1-2 working days} with $carrier.",
    "Ships within {1-2|2-3} days via $carrier.",
    "Free $postage!",
    "$postage with $carrier{ tracked|}.",
    "Bundle to save on $postage.",
)
EXTRA_LINE = (
    "Open to offers.",
    "No returns.",
    "Smoke and pet free home.",
    "Ask any questions!",
    "Check out my other items x",
    "Price firm.",
    "Model is 5'{5|6|7|8} and usually a size {6|8|10|12}.",
    "Will consider reasonable offers.",
    "Bundles available.",
    "All items are washed before posting.",
    "Please ask for more pictures before buying.",
    "Send an offer through the app 😊",
    "Instant buy available.",
    "From a smoke-free home.",
    "Message me with any questions x",
    "Sorry no swaps.",
)
STORY_LINE = (
    "Bought this from {the $brand store|ASOS|Selfridges|a vintage fair in {Brick Lane|Camden|Manchester|Brooklyn}} {last year|a couple of years ago|in 2022} and only wore it {a few times|to one event|twice}, it's just been sitting in my wardrobe since.",
    "Such a good quality piece, the fabric is {thick|heavyweight|soft} and the colour is {gorgeous|exactly as pictured|slightly darker in person}. I'd keep it if it still fitted!",
    "Would look amazing with {baggy jeans|a mini skirt|cargos|a slip dress|chunky trainers~sneakers} and {a leather jacket|gold jewellery|a baby tee}.",
    "Please note all my items are pre-loved so may show minor signs of wear, I try to photograph any flaws. Any questions just ask, I'm happy to send more pictures or measurements.",
    "Fabric: {100% cotton|wool blend|polyester|denim|linen|leather|viscose}.",
    "I'm 5'{3|4|5|6|7|8|9} and usually a {UK 8|UK 10|UK 12|US 4|US 6|size S|size M} for reference, it sits {just above the ankle|at the knee|on the hip|perfectly on the waist}.",
    "Comes from a {smoke free|pet free|smoke and pet free} home and will be {washed|steamed|folded nicely} before {posting|shipping}.",
)
# The emoji-bullet layout many resale sellers use.
EMOJI_LAYOUT = (
    "✨ $brand $item ✨\n📏 size $size\n💫 $condition\n📦 {next day $postage|$postage with $carrier|fast $postage}",
    "🖤 $brand $item in $colour\n• size: $size\n• condition: $condition\n• {no returns|offers welcome|bundle to save}",
    "$brand $item 🔥\nsize $size\n$condition\n{dm|message me} for more pics 📸",
)
MEASURE = {
    "tops": (
        'Pit to pit: {18|19|20|21|22|23|24}" / Length: {22|24|25|26|27|28|29}"',
        "P2P {46|48|50|52|56|58}cm, length {60|62|66|70|72}cm",
    ),
    "knitwear": ('Pit to pit {20|21|22|23|24|25}", length {23|25|26|27|28}"',),
    "hoodies": ('Pit to pit {21|22|23|24|25|26}", length {25|26|27|28|29}"',),
    "jackets": ('P2P {21|22|23|24|25}", length {24|26|28|30}", sleeve {23|24|25|26}"',),
    "coats": ('Pit to pit {20|21|22|23|24}", length {34|36|38|40|42|44}"',),
    "jeans": (
        'Waist {26|28|29|30|31|32|33|34|36}" laid flat x2, inside leg {28|29|30|31|32|33}", rise {10|11|12}"',
    ),
    "trousers": ('Waist {13|14|15|16|17}" laid flat, inside leg {27|28|29|30|31|32}"',),
    "dresses": ('Pit to pit {16|17|18|19|20}", length {33|35|38|42|48|52}"',),
    "skirts": ('Waist {12|13|14|15|16}" laid flat, length {15|16|18|24|28|32}"',),
    "shoes": ("Insole {23|24|25|26|27|28|29}cm.",),
    "bags": (
        "{24|26|28|30|32|35} x {14|16|18|20|22} x {6|8|10|12}cm, strap drop {20|22|45|55}cm.",
    ),
}
HASHTAGS_MAX = 6

# ---------------------------------------------------------------- hard negative listings
HARD_NEGATIVE_LISTINGS: tuple[tuple[str, str, str, str | None], ...] = (
    # (title, description, category, brand or None)
    (
        "Vintage $colour bomber jacket",
        "Classic bomber jacket with ribbed cuffs. $condition. Size $size.",
        "jackets",
        None,
    ),
    (
        "Knife pleat midi skirt",
        "Gorgeous knife pleat midi skirt in $colour, elasticated waist. Size $size.",
        "skirts",
        None,
    ),
    (
        "Killer heels {size|UK|EU} {4|5|6|38|39}",
        "Killer heels, {patent|suede} {black|red}, worn once to a wedding.",
        "shoes",
        None,
    ),
    (
        "Bag with gunmetal hardware",
        "Black leather shoulder bag with gunmetal hardware. $condition.",
        "bags",
        None,
    ),
    (
        "Ivory wedding dress UK {8|10|12|14}",
        "Ivory lace wedding dress, {worn once|never worn}, dry cleaned. Train {detachable|bustled}.",
        "dresses",
        None,
    ),
    (
        "Faux fur coat {leopard|cream|brown|black}",
        "Faux fur coat, so warm and cosy. Not real fur. $condition.",
        "coats",
        None,
    ),
    (
        "Velvet smoking jacket",
        "Vintage velvet smoking jacket in burgundy, satin lapels. Size $size.",
        "jackets",
        None,
    ),
    (
        "Marlboro Classics jacket",
        "Vintage Marlboro Classics suede jacket, 90s, {great|good} condition. Size $size.",
        "jackets",
        "Marlboro Classics",
    ),
    (
        "Jack Daniel's t-shirt",
        "Old Jack Daniel's band-style tee, faded black. Size $size.",
        "tops",
        None,
    ),
    (
        "Heineken bucket hat",
        "Novelty Heineken bucket hat from a festival, never worn.",
        "accessories",
        None,
    ),
    (
        "Under Armour UA compression top",
        "UA HeatGear compression top, size $size, great for the gym.",
        "tops",
        "Under Armour",
    ),
    (
        "70s inspired flares",
        "Flared jeans inspired by the 70s, high waisted, $colour. Size $size.",
        "jeans",
        None,
    ),
    (
        "Snake print boots",
        "Faux snake print ankle boots, size {4|5|6|7}. $condition.",
        "shoes",
        None,
    ),
    (
        "Croc effect shoulder bag",
        "Embossed croc effect leather bag, not real croc. $condition.",
        "bags",
        None,
    ),
    (
        "Authentic $brand $item with receipt",
        "100% authentic, bought from {Selfridges|Harrods|the $brand boutique|Flannels} in {2021|2022|2023}. Comes with receipt, dust bag and box. $condition.",
        "bags",
        "$brand",
    ),
    (
        "Mirror ball sequin dress",
        "Silver sequin mini dress, mirror ball effect, perfect for NYE. Size $size.",
        "dresses",
        None,
    ),
    (
        "Shot glass set",
        "Set of 6 etched shot glasses, never used. Glass only, no alcohol.",
        "home",
        None,
    ),
    (
        "Camo cargo trousers~pants",
        "Camo cargos, baggy fit, lots of pockets. Size $size.",
        "trousers",
        None,
    ),
    (
        "Pearl drop earrings",
        "Faux pearl drop earrings, clip on. Gift box included.",
        "jewellery",
        None,
    ),
    (
        "Bullet belt",
        "Y2K grunge studded bullet belt (hollow studs, no ammunition). Fits waist 28-34.",
        "accessories",
        None,
    ),
    (
        "Dupe-free capsule wardrobe bundle",
        "Bundle of genuine basics: COS, Arket and Uniqlo tees. No dupes, all original. Sizes $size.",
        "tops",
        None,
    ),
    (
        "Ivory cable knit jumper~sweater",
        "Chunky ivory cable knit, wool blend. $condition. Size $size.",
        "knitwear",
        None,
    ),
    (
        "Pill print silk shirt",
        "Vintage novelty print silk shirt with a tiny pill pattern. Size $size.",
        "tops",
        None,
    ),
    (
        "Taser-style graphic tee",
        "Band tee from the Taser tour 2004, faded black. Size $size.",
        "tops",
        None,
    ),
    (
        "Powder blue blazer",
        "Powder blue single-breasted blazer. $condition. Size $size.",
        "jackets",
        None,
    ),
    (
        "Bomb jacket vintage {80s|90s}",
        "Vintage 'da bomb' slogan jacket, $condition, size $size.",
        "jackets",
        None,
    ),
    (
        "Nike Dunk Low with receipt",
        "Bought on SNKRS, order confirmation and box included. Worn {twice|a few times}. $size.",
        "shoes",
        "Nike",
    ),
)

# ---------------------------------------------------------------- counterfeit listings
REPLICA_TITLE = (
    "«$brand» $item «1:1»",
    "«$brand» $item «rep»",
    "«$brand» $item «{top|best|OG|LJR|PK} batch»",
    "«$brand» «inspired» $item",
    "«$brand» «dupe» $item",
    "«AAA» «$brand» $item",
    "«$brand» $item «mirror quality»",
    "«$brand» $item «UA»",
    "«$brand» $item «super clone»",
    "«$brand» style $item «replica»",
    "$item «inspired by» «$brand»",
    "«$brand» $item ({«rep»|«1:1»|«AAA»})",
)
REPLICA_DESC = (
    "«1:1» quality, comes with «dust bag» and box. «No receipt».",
    "Not authentic obviously at this price, «best quality rep» you can get.",
    "«Mirror quality», same leather as retail. Ships in {7-10|10-15} days {from our factory|from supplier}.",
    "«Unauthorised authentic», «factory leftover». «No receipt» or certificate.",
    "«$batch batch», «1:1 with retail», QC pics available on request.",
    "Great «dupe», looks identical to the real one. Can't tell the difference.",
    "«Replica», high quality. All sizes available, message me.",
    "«Inspired by» «$brand», not the real thing but {amazing quality|so close|honestly better}.",
    "«AAA grade», comes with all tags and «fake receipt» if you need it.",
    "«UA» pair, «best batch», «no box».",
    "From «Yupoo» seller, «QC pics» available, «GL».",
    "«DHgate» find, «1:1» with retail, «W2C» the matching belt in my other listing.",
)
PRICE_ONLY_DESC = (
    "Brand new with tags, {unwanted gift|bought 2 by mistake|changed my mind}. $postage with $carrier.",
    "{Genuine|Authentic|Real}, {moving abroad|need quick sale|clearing out}. Price firm.",
    "{Never worn|Worn once}, comes with box. {Quick sale|Cheap as need the money}.",
    "$condition. {Selling cheap|Priced to sell|Grab a bargain}.",
)
WHOLESALE_TITLE = (
    "«Wholesale» «$brand» $item «job lot»",
    "«$brand» $item «bulk» x{10|20|25|50}",
    "«$brand» $item «all sizes available» «wholesale»",
    "«Job lot» of {10|15|20|30} «$brand» $item",
)
WHOLESALE_DESC = (
    "«Brand new» «$brand», «all sizes and colours in stock». Buy {5|10}+ for $cur{15|20|25} each. «DM for catalogue».",
    "«Factory direct», «bulk orders welcome». {Worldwide|UK} $postage.",
    "We ship «wholesale» quantities, «multiple available», message for prices.",
)

# ---------------------------------------------------------------- prohibited listings
PROHIBITED_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    # category -> (title, description)
    "weapons": (
        (
            "«Butterfly knife» {stainless|black|rainbow} «balisong»",
            "Sharp, «real blade» not a trainer. $postage discreet.",
        ),
        ("«Flick knife» {vintage|new}", "«Spring loaded», locks. {Collector's item|Never used}."),
        ("Brass «knuckle duster»", "Solid brass «knuckle duster», {heavy|fits most hands}."),
        ("«Karambit» with sheath", "Full tang «karambit» knife with kydex sheath."),
        ("«Pepper spray» x{2|3}", "{Imported|Brought back} from {abroad|the US}, never used."),
        ("«Stun gun» torch {1|5|10} million volts", "Rechargeable «stun gun» / torch combo."),
        ('«Extendable baton» {21|26}"', "Steel «extendable baton», comes with holster."),
        ("«Throwing stars» set", "Set of {3|6} «throwing stars», sharp."),
        (
            "«Air rifle» .22 with scope",
            "«Air rifle» {barely used|great condition}, collection only.",
        ),
        ('«Machete» {18|24}"', "«Machete», razor sharp, ideal for {camping|garden}."),
    ),
    "drugs": (
        (
            "«Bong» {glass|acrylic} {30|40|45}cm",
            "«Bong» with «bowl» and «downstem», {barely|lightly} used.",
        ),
        ("«Weed grinder» + rolling tray", "«420» essentials, 4 part «grinder»."),
        ("«THC carts» {1g|2g}", "«Carts» {mixed flavours|full gram}, «dm for menu»."),
        (
            "«Shroom» chocolate bars",
            "«Magic mushroom» «chocolate» {3.5g|4g} bars, {various flavours|message me}.",
        ),
        ("«Edibles» {500|600|1000}mg", "«THC gummies», «discreet» $postage."),
        (
            "«Nitrous» canisters «Smartwhip» x{2|3|4}",
            "Cream chargers, {bulk|can do deals}, «party».",
        ),
        ("«Glass pipe» {hand blown|spoon}", "«Glass pipe» for «smoking», cleaned."),
        ("«Plug» 🔌🍃 DM", "«menu on request», «same day» in {London|Manchester|Birmingham}."),
    ),
    "alcohol": (
        ("«Grey Goose» vodka 70cl unopened", "Unopened bottle of «Grey Goose», unwanted gift."),
        (
            "«Glenfiddich 18» whisky",
            "Sealed «Glenfiddich 18 year old» «single malt», box included.",
        ),
        ("«Moët» champagne gift set", "«Moët & Chandon» «Brut» with 2 glasses, unopened."),
        ("«Hennessy VS» 70cl", "Unopened «Hennessy», {selling as don't drink|unwanted gift}."),
        ("«Baileys» 1L x2", "Two «Baileys» bottles, {in date|best before next year}."),
    ),
    "tobacco_vapes": (
        (
            "«Elf Bar 600» {box of 10|x10|job lot}",
            "«Disposable vapes», {mixed flavours|blue razz lemonade}, sealed.",
        ),
        ("«Lost Mary» vapes x{5|10|20}", "«Lost Mary BM600» {sealed|brand new}, «20mg»."),
        ("«Disposable vapes» bundle", "{20|30|50} «vapes», all flavours, {cheap|bulk discount}."),
        ("«Marlboro Gold» {200|100} «cigarettes»", "Duty free «Marlboro», sealed sleeves."),
        ("«Snus» {Siberia|Velo|Zyn} x{5|10} tins", "«Nicotine pouches», strong."),
        ("«Rolling tobacco» 50g pouches", "«Amber Leaf» «tobacco» x{4|6|10}, sealed."),
    ),
    "medicines": (
        (
            "«Ozempic» pens {0.25|0.5|1}mg",
            "«Semaglutide» pen, {unused|2 doses used}, keep refrigerated.",
        ),
        ("«Mounjaro» {2.5|5|7.5}mg pen", "«Mounjaro» «weight loss» pen, {unused|spare}."),
        ("«Viagra» {50|100}mg x{10|20}", "«Sildenafil» tablets, discreet packaging."),
        ("«Xanax» bars", "«Alprazolam» 2mg, «no prescription needed»."),
        ("«Diazepam» 10mg strip", "«Diazepam» tablets, {unused|spare}."),
        ("«Tramadol» 50mg", "«Tramadol» painkillers, {box of 30|half box}."),
        ("«Adderall» {10|20}mg", "«Adderall» for «studying», dm."),
        ("«Accutane» {20|40}mg", "«Isotretinoin», {leftover|unused} course."),
    ),
    "wildlife": (
        ("Antique «ivory» bangle", "«Real ivory» bangle, {1930s|pre-war|old}, beautiful patina."),
        ("Carved «ivory» elephant figure", "Hand carved «elephant ivory», {heavy|inherited}."),
        ("«Tortoiseshell» comb {genuine|real}", "«Genuine tortoiseshell», {vintage|antique} comb."),
        ("«Real leopard fur» coat", "«Genuine leopard fur» coat, vintage, full length."),
        ("«Ocelot fur» stole", "Vintage «ocelot» «fur» stole, soft."),
        ("«Tiger claw» pendant", "«Real tiger claw» set in silver."),
        ("«Elephant hair» bracelet", "«Genuine elephant hair», {gold clasp|braided}."),
        ("«Sea turtle shell»", "«Hawksbill turtle shell», decorative."),
        ("«Rhino horn» cup", "Antique «rhino horn» libation cup."),
    ),
    "recalled": (
        (
            "«$recalled»",
            "Used {a couple of times|a few times|once}, works fine. Selling as {moving house|no longer needed|upgrading}.",
        ),
        (
            "«$recalled» {like new|good condition|boxed}",
            "{Great condition|Excellent condition}, {collection|$postage} available.",
        ),
    ),
    "adult": (
        (
            "«Used underwear» {worn|lace}",
            "«Worn» {for 2 days|to order}, «extra pics on request» 😉",
        ),
        ("«Worn socks» {gym|2 day wear}", "«Custom wear» available, «message me» 😉"),
        ("«Adult toys» bundle", "«Adult toys», {new|used once}, discreet $postage."),
        ("«18+ content» «dm for menu»", "«Spicy pics» and «videos», «dm for prices» 😈"),
    ),
    "hazardous": (
        ("«Fireworks» box set", "Big «fireworks» selection box, {category 3|cakes and rockets}."),
        (
            "«Lithium batteries» {swollen|damaged} for parts",
            "«Damaged» «lithium» «battery pack», for parts.",
        ),
        ("«Mercury thermometer» antique", "Glass «mercury» thermometer, working."),
        ("«Butane» gas canisters x{12|24}", "«Butane» refill cans, {sealed|unopened}."),
        ("«Smoke grenades» x{3|5}", "Coloured «smoke grenades» for photoshoots, pin pull."),
        ("«Petrol» jerry can full", "20L «petrol» can, full."),
    ),
}
PROHIBITED_WEIGHTS = {
    "weapons": 0.16,
    "drugs": 0.13,
    "alcohol": 0.08,
    "tobacco_vapes": 0.15,
    "medicines": 0.13,
    "wildlife": 0.09,
    "recalled": 0.12,
    "adult": 0.07,
    "hazardous": 0.07,
}
CONTRABAND = (
    "vapes",
    "Elf Bars",
    "carts",
    "edibles",
    "xanax",
    "weed",
    "Ozempic pens",
    "a butterfly knife",
    "snus",
    "nos canisters",
    "shrooms",
    "Lost Marys",
)

# ---------------------------------------------------------------- off-platform listing lines
OFF_PLATFORM_LINES = (
    "«Message me on $whatsapp» «$phone» for quicker replies.",
    "«Cheaper on my insta» «$handle».",
    "«$ff» only, or «bank transfer» for $cur{5|10} off.",
    "Don't buy on here, «text» «$phone».",
    "{DM|Message} me before buying, I can do a better price «off the app».",
    "«Paypal friends and family» preferred.",
    "Also selling on «$insta» «$handle», check there for more.",
    "«Email» «$email» for a discount.",
    "«$telegram» «$handle» for the full catalogue.",
)

# ---------------------------------------------------------------- spam listing stuffing
STUFFING = (
    "nike",
    "adidas",
    "gucci",
    "prada",
    "supreme",
    "stussy",
    "carhartt",
    "ralph lauren",
    "y2k",
    "vintage",
    "90s",
    "streetwear",
    "grunge",
    "aesthetic",
    "baggy",
    "oversized",
    "balenciaga",
    "louis vuitton",
    "off white",
    "bape",
    "palace",
    "north face",
    "arcteryx",
    "corteiz",
    "trapstar",
    "essentials",
    "fear of god",
    "chrome hearts",
    "vivienne westwood",
    "brandy melville",
    "zara",
    "urban outfitters",
    "skims",
    "lululemon",
    "jordan",
    "yeezy",
    "dior",
    "chanel",
    "hermes",
    "miu miu",
    "coquette",
    "cottagecore",
    "rare",
    "grail",
    "hype",
)

# ---------------------------------------------------------------- profile bios
BIO_CLEAN = (
    "{London|Manchester|Leeds|Glasgow|Bristol|NYC|LA|Dublin|Melbourne} based 📍 {vintage|y2k|streetwear|preloved} {finds|pieces|fashion}",
    "all items washed before posting ✨ {bundle discounts|bundles welcome|offers welcome}",
    "{uni student|mum of 2|full time nurse} clearing out my wardrobe 🛍️",
    "{sustainable|slow} fashion ♻️ ships within 2 days",
    "ships {Mon/Thu|Tues & Fri|daily} 📦 no returns",
    "🌿 smoke & pet free home 🌿 {open to offers|price firm}",
    "{curated|hand picked} {90s|80s|y2k} vintage, {new drops weekly|restocks every Sunday}",
    "hi I'm $name! {student|small business|vintage lover} 💕",
    "",
)
BIO_HARD_NEGATIVE = (
    "all payments through the app only please 🙏 I don't do PayPal outside",
    "every item authentic, receipts available for designer pieces",
    "vintage {inspired by the 70s|70s & 80s} 🌼 ships with Royal Mail",
    "posting with Evri & Royal Mail, tracking via the app",
    "my other shop: $depop_url",
    "please don't message asking to pay by bank transfer, I only sell through the app",
)
BIO_POSITIVE: dict[str, tuple[str, ...]] = {
    "off_platform": (
        "«$whatsapp» «$phone» for faster replies 📲",
        "«$ff» or «bank transfer» for discount",
        "more stock on «$insta» «$handle» 💕 «cheaper there»",
        "«$telegram» «$handle» | «cash app» «$cashtag»",
        "serious buyers «text» «$phone»",
        "«email» «$email» for wholesale",
    ),
    "counterfeit": (
        "«reps» plug 🔌 «1:1» «all brands» dm",
        "designer «dupes» 💼 «AAA quality» | ships worldwide",
        "«UA» «best batch» trainers 👟 «factory direct»",
        "«mirror quality» bags | «no receipts» | dm for catalogue",
        "«kakobuy» «spreadsheet» link 🔗 «best batches» only",
        "«yupoo» album in dms 📸 «all brands» «1:1»",
    ),
    "prohibited": (
        "🍃🔌 «menu» in dms «discreet» $postage",
        "«vapes» «elf bars» «wholesale» 💨 dm",
        "«weight loss pens» available 💉 dm",
    ),
    "phishing": (
        "«Official» «Depop Support» 🛡️ account help: «$phish_url»",
        "«Depop» «Payments Team» | verify your payout «$phish_url»",
    ),
    "spam": (
        "«follow for follow» 💯 «f4f» «l4l» always follow back",
        "«GIVEAWAY» every week! «follow» and like to enter 🎁",
        "«earn money» from home 💸 «link in bio» «$short_url»",
    ),
}

# ---------------------------------------------------------------- reports
REPORT_TEXT: dict[str, tuple[str, ...]] = {
    "off_platform": (
        "seller asked me to pay by bank transfer instead of through the app",
        "they wanted PayPal friends and family, pretty sure it's a scam",
        "asked me to message them on WhatsApp to buy",
        "buyer keeps asking for my email to pay outside the app",
    ),
    "phishing": (
        "buyer sent me a link to 'confirm the payment', looks like a fake Depop site",
        "got a message pretending to be Depop support asking me to log in on another website",
        "they asked for the code that was texted to me",
        "fake PayPal email scam, the link goes to a weird website",
    ),
    "counterfeit": (
        "these are obviously fake, the logo is wrong",
        "seller admitted they're reps",
        "price is way too low for the real thing, counterfeit",
        "fake {bag|trainers|hoodie}, I own the real one and the stitching is different",
    ),
    "prohibited": (
        "selling knives",
        "this is a vape listing, not allowed",
        "selling prescription medicine",
        "this is real ivory which is illegal to sell",
        "selling alcohol",
    ),
    "spam": (
        "keeps spamming me with the same message",
        "same listing posted loads of times",
        "spam account, sending everyone follow for follow messages",
        "keyword spam in the description",
    ),
    "clean": (
        "item not as described",
        "seller hasn't posted my item and it's been 2 weeks",
        "rude messages",
        "I think this is fake",
        "price is too high",
        "they cancelled my order for no reason",
        "this looks like a scam",
    ),
}
REPORT_REASON = {
    "off_platform": "off_platform_payment",
    "phishing": "scam",
    "counterfeit": "counterfeit",
    "prohibited": "prohibited_item",
    "spam": "spam",
}
