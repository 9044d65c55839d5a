import { ruleTable } from '../support/rule-tester.js';

ruleTable('upload-no-size-limit', {
  language: 'ts',
  invalid: [
    {
      name: 'multer with a destination only',
      code: "import multer from 'multer';\nconst upload = multer({ dest: 'uploads/' });\nrouter.post('/avatar', upload.single('avatar'), saveAvatar);\n",
      lines: [2],
      suggestion: "const upload = multer({ dest: 'uploads/', limits: { fileSize: 10 * 1024 * 1024 } });",
    },
    {
      name: 'multer() with memory storage and no options',
      code: "const upload = multer();\napp.post('/import', upload.single('csv'), importCsv);\n",
      lines: [1],
      suggestion: 'const upload = multer({ limits: { fileSize: 10 * 1024 * 1024 } });',
    },
    {
      name: 'multer limits that cap the count but not the size',
      code: "const upload = multer({ storage: multer.memoryStorage(), limits: { files: 5 } });\n",
      lines: [1],
      suggestion: 'const upload = multer({ storage: multer.memoryStorage(), limits: { files: 5, fileSize: 10 * 1024 * 1024 } });',
    },
    {
      name: 'busboy on the request headers',
      code: "app.post('/upload', (req, res) => {\n  const bb = busboy({ headers: req.headers });\n  bb.on('file', (name, file) => file.pipe(fs.createWriteStream(`/tmp/${name}`)));\n  req.pipe(bb);\n});\n",
      lines: [2],
    },
    {
      name: 'old Busboy constructor',
      code: "const Busboy = require('busboy');\nfunction parse(req) {\n  const busboy = new Busboy({ headers: req.headers });\n  req.pipe(busboy);\n}\n",
      lines: [3],
    },
    {
      name: 'formidable without maxFileSize (Next.js pages API)',
      path: 'pages/api/upload.ts',
      code: "import formidable from 'formidable';\nexport const config = { api: { bodyParser: false } };\nexport default async function handler(req, res) {\n  const form = formidable({ multiples: true, keepExtensions: true });\n  const [fields, files] = await form.parse(req);\n  res.json({ files });\n}\n",
      lines: [4],
    },
    {
      name: 'new formidable.IncomingForm()',
      code: "const form = new formidable.IncomingForm();\nform.parse(req, (err, fields, files) => done(files));\n",
      lines: [1],
    },
    {
      name: 'multer with a multi-line storage option',
      code: "const upload = multer({\n  storage: multerS3({ s3, bucket: 'docs' }),\n});\n",
      lines: [1],
    },
  ],
  valid: [
    "const upload = multer({ dest: 'uploads/', limits: { fileSize: 5 * 1024 * 1024 } });",
    "const upload = multer({ storage, limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });",
    "const bb = busboy({ headers: req.headers, limits: { fileSize: 20_000_000, files: 1 } });",
    "const form = formidable({ maxFileSize: 10 * 1024 * 1024, keepExtensions: true });",
    { name: 'options from a shared config object', code: "import { uploadOptions } from './config';\nconst upload = multer(uploadOptions);\n" },
    { name: 'options spread from defaults', code: "const upload = multer({ ...defaultUploadOptions, dest: 'tmp/' });\n" },
    { name: 'multer.diskStorage is not the parser', code: "const storage = multer.diskStorage({ destination: 'uploads/', filename: (req, file, cb) => cb(null, file.originalname) });\n" },
    { name: '@fastify/multipart has a 1 MB default', code: "await fastify.register(multipart);\nfastify.post('/upload', async (req) => { const data = await req.file(); return save(data); });\n" },
    { name: 'a function called upload', code: "const result = await upload({ bucket: 'docs', key, body });\n" },
    { name: "Object.prototype's names are not parsers", code: 'const text = toString();\nconst copy = new constructor();\n' },
  ],
});

ruleTable('upload-no-size-limit', {
  language: 'py',
  invalid: [
    {
      name: 'FastAPI UploadFile read whole',
      path: 'app/api/documents.py',
      code: `from fastapi import APIRouter, UploadFile, File

router = APIRouter()

@router.post("/documents")
async def upload_document(file: UploadFile = File(...)):
    content = await file.read()
    key = await storage.put(file.filename, content)
    return {"key": key}
`,
      lines: [7],
      message: /`await file.read\(\)` reads the whole upload/,
    },
    {
      name: 'FastAPI list of UploadFile read in a loop',
      path: 'app/api/images.py',
      code: `@router.post("/images")
async def upload_images(files: list[UploadFile]):
    saved = []
    for f in files:
        data = await f.read()
        saved.append(await s3.put_object(Key=f.filename, Body=data))
    return saved
`,
      lines: [5],
    },
    {
      name: 'UploadFile.file read synchronously',
      path: 'app/api/imports.py',
      code: `@app.post("/imports")
def import_csv(upload: UploadFile):
    rows = parse_csv(upload.file.read().decode())
    return {"rows": len(rows)}
`,
      lines: [3],
    },
    {
      name: 'Django request.FILES read whole',
      path: 'documents/views.py',
      code: `@login_required
def upload(request):
    data = request.FILES["document"].read()
    Document.objects.create(owner=request.user, blob=data)
    return redirect("documents")
`,
      lines: [3],
    },
    {
      name: 'Django file taken from request.FILES.get',
      path: 'avatars/views.py',
      code: `def set_avatar(request):
    avatar = request.FILES.get("avatar")
    request.user.profile.avatar_bytes = avatar.read()
    request.user.profile.save()
    return HttpResponse(status=204)
`,
      lines: [3],
    },
    {
      name: 'Flask request.files read with no MAX_CONTENT_LENGTH in the change',
      path: 'app/routes/uploads.py',
      code: `@bp.post("/upload")
def upload():
    f = request.files["file"]
    blob = f.read()
    bucket.blob(f.filename).upload_from_string(blob)
    return {"ok": True}
`,
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'FastAPI reads a bounded chunk',
      path: 'app/api/documents.py',
      code: `@router.post("/documents")
async def upload_document(file: UploadFile):
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(413)
    return await store(content)
`,
    },
    {
      name: 'FastAPI checks file.size first',
      path: 'app/api/documents.py',
      code: `@router.post("/documents")
async def upload_document(file: UploadFile):
    if file.size is not None and file.size > 10_000_000:
        raise HTTPException(status_code=413, detail="File too large")
    return await store(await file.read())
`,
    },
    {
      name: 'Django checks the UploadedFile size',
      path: 'documents/views.py',
      code: `def upload(request):
    f = request.FILES["document"]
    if f.size > settings.MAX_UPLOAD_SIZE:
        return HttpResponseBadRequest("too large")
    Document.objects.create(blob=f.read())
    return redirect("documents")
`,
    },
    {
      name: 'Flask app with MAX_CONTENT_LENGTH in the same file',
      path: 'app/main.py',
      code: `app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024

@app.post("/upload")
def upload():
    return store(request.files["file"].read())
`,
    },
    {
      name: 'Flask MAX_CONTENT_LENGTH set in the config module of the same change',
      path: 'app/routes/uploads.py',
      code: `@bp.post("/upload")
def upload():
    return store(request.files["file"].read())
`,
      files: { 'app/config.py': 'class Config:\n    MAX_CONTENT_LENGTH = 16 * 1024 * 1024\n' },
    },
    {
      name: 'reading a local file is not an upload',
      path: 'app/services/templates.py',
      code: `def load_template(path):
    with open(path) as fh:
        return fh.read()
`,
    },
    {
      name: 'reading the HTTP response of a client',
      path: 'app/clients/github.py',
      code: `async def fetch(session, url):
    async with session.get(url) as resp:
        return await resp.read()
`,
    },
    {
      name: 'streaming the upload to storage in chunks',
      path: 'app/api/videos.py',
      code: `@router.post("/videos")
async def upload_video(file: UploadFile):
    while chunk := await file.read(1024 * 1024):
        await sink.write(chunk)
    return {"ok": True}
`,
    },
  ],
});
